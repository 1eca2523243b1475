import type * as Bench from '@accel/bench';
import { globalFlags, parseCommandLine } from '../command-line.js';
import { importOptional, type ImportModule } from '../optional-package.js';
import { renderTable } from '../render-table.js';

export interface BenchIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * `accel bench`: the bench lives in `@accel/bench`, an optional peer dependency imported only
 * here, which owns its flags, help and reports; without it, one line says what to install.
 */
export async function benchCommand(argv: readonly string[], io: BenchIo, load?: ImportModule): Promise<number> {
  const bench = await importOptional<typeof Bench>('@accel/bench', 'accel bench', load);
  const { values, positionals } = parseCommandLine(argv, { ...globalFlags, ...bench.benchFlags }, 'accel bench');
  if (values.help === true) {
    io.stdout(bench.benchHelp);
    return 0;
  }
  return bench.runBenchCommand(values as Bench.BenchCommandFlags, positionals.slice(1), argv, { stdout: io.stdout, stderr: io.stderr, renderTable });
}
