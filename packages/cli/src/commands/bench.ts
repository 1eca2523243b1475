import { resolve } from 'node:path';
import { InvalidInputError } from '@accel/core';
import type { ProgressOutput } from '../bench/progress-bar.js';
import { renderConsoleSummary } from '../bench/reporters/console-summary.js';
import { renderJsonReport } from '../bench/reporters/json-report.js';
import { writeReports } from '../bench/reporters/write-reports.js';
import { runBench } from '../bench/runner.js';

/** Flags of `accel bench`; `--cache-dir` and `--json` are the common ones. `--size` is for tests. */
export const benchFlags = {
  quick: { type: 'boolean' },
  skills: { type: 'string' },
  backends: { type: 'string' },
  out: { type: 'string' },
  size: { type: 'string' },
  replicas: { type: 'string' },
} as const;

export const benchUsage = 'accel bench [--quick] [--skills bert-tiny,minilm,…] [--backends cpu,wasm] [--replicas N] [--cache-dir DIR] [--out DIR] [--json]';

export interface BenchCommandFlags {
  readonly quick?: boolean;
  readonly skills?: string;
  readonly backends?: string;
  readonly out?: string;
  readonly size?: string;
  readonly replicas?: string;
  readonly 'cache-dir'?: string;
  readonly json?: boolean;
}

export interface BenchCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidInputError({ reason: 'an empty list was given' });
  return names;
}

/** `accel bench`: forges full-size models, measures accel and its peers, writes bench.json, bench.md and ratios.svg. */
export async function runBenchCommand(flags: BenchCommandFlags, positionals: readonly string[], argv: readonly string[], io: BenchCommandIo): Promise<number> {
  if (positionals.length > 0) throw new InvalidInputError({ reason: `accel bench takes no arguments besides its flags, got ${positionals.join(' ')} (use --skills)` });
  const size = flags.size ?? 'full';
  if (size !== 'full' && size !== 'tiny') throw new InvalidInputError({ reason: `--size must be full or tiny, got ${size}` });
  const interactive = process.stderr.isTTY === true;
  const progress: ProgressOutput = { interactive, write: interactive ? (text) => void process.stderr.write(text) : (text) => io.stderr(text.trimEnd()) };
  const replicas = flags.replicas === undefined ? 1 : Number(flags.replicas);
  if (!Number.isInteger(replicas) || replicas < 1) throw new InvalidInputError({ reason: `--replicas must be a positive integer, got ${flags.replicas}` });
  const skills = list(flags.skills);
  const backends = list(flags.backends);
  const result = await runBench({
    quick: flags.quick === true,
    ...(skills ? { skills } : {}),
    ...(backends ? { backends } : {}),
    cacheDirectory: resolve(flags['cache-dir'] ?? `.cache/models/${size}`),
    size,
    replicas,
    command: ['accel', ...argv].join(' '),
    log: (message) => io.stderr(message),
    progress,
  });
  const files = await writeReports(result, resolve(flags.out ?? 'reports/bench'));
  io.stdout(flags.json ? renderJsonReport(result).trimEnd() : renderConsoleSummary(result, files));
  return result.cells.some((cell) => cell.status === 'failed') ? 1 : 0;
}
