import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AccelError, InvalidInputError, isDtype, UnsupportedError } from '@accel/core';
import { benchFlags, benchUsage, runBenchCommand } from './commands/bench.js';
import { collectDoctorRows, renderDoctor } from './commands/doctor.js';
import { runSkill } from './commands/run.js';
import { renderSmoke, runSmoke } from './commands/smoke.js';
import { formatProvenance, toJsonValue } from './format-result.js';
import { skillCommands, type FlagValues } from './skills/index.js';

const commonFlags = {
  model: { type: 'string' },
  backend: { type: 'string', default: 'cpu' },
  fallback: { type: 'string' },
  dtype: { type: 'string', default: 'fp32' },
  threads: { type: 'string' },
  'cache-dir': { type: 'string' },
  download: { type: 'boolean', default: false },
  smoke: { type: 'boolean', default: false },
  stream: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;

const allFlags: NonNullable<ParseArgsConfig['options']> = Object.assign({}, ...skillCommands.map((command) => command.flags ?? {}), benchFlags, commonFlags);

const usage = `accel — run Hugging Face model families on whatever hardware this machine has

usage:
${skillCommands.map((command) => `  ${command.usage}`).join('\n')}
      common: [--model <hub id | folder>] [--backend cpu|cuda:0|openvino:GPU|auto] [--fallback cpu,…]
              [--dtype fp32] [--threads N] [--cache-dir DIR] [--download] [--json]
  accel doctor [--smoke] [--json]
  ${benchUsage}

options:
  --model      hub id (looked up under --cache-dir) or a local model folder; default: the skill's default model
  --backend    device label: cpu (default), cuda:0, cuda:*, openvino:GPU, auto (best available)
  --fallback   comma-separated device labels to fall back to, e.g. --backend cuda:0 --fallback cpu
  --dtype      fp32 (default), fp16, q8, int8, uint8, q4
  --threads    intra-op threads for the backend (default: all cores)
  --cache-dir  model cache folder (default: $ACCEL_CACHE_DIR or ~/.cache/accel/models)
  --download   allow downloading a missing model from the hub
  --smoke      (doctor) run every installed skill on a tiny forged model on every available backend
  --quick      (bench) a subset in under 2 minutes: bert-tiny on cpu and wasm; MiniLM, CLIP batch 1 and gpt2 on cpu; two models
  --skills     (bench) bench profiles or skill names to run, e.g. bert-tiny,minilm,gpt2
  --backends   (bench) backends to measure, e.g. cpu,wasm; unavailable ones are listed as skipped with the reason
  --out        (bench) report folder (default reports/bench): bench.json, bench.md, ratios.svg
  --replicas   (bench) copies of the model behind each accel endpoint (default 1): see @accel/core's replicas
  --stream     print generated text as it comes (generative skills)
  --json       print the result as JSON
  --verbose    print stack traces on errors
`;

export interface CommandIo {
  /** Writes a line. */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Writes text without a newline (streamed tokens); falls back to `stdout`. */
  readonly write?: (text: string) => void;
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidInputError({ reason: `--${flag} must be a positive integer, got ${value}` });
  return number;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  let verbose = argv.includes('--verbose');
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: allFlags });
    const flags = values as FlagValues & { [K in keyof typeof commonFlags]: (typeof commonFlags)[K]['type'] extends 'boolean' ? boolean : string | undefined };
    verbose = flags.verbose;
    const [command, ...rest] = positionals;
    if (flags.help || command === undefined || command === 'help') {
      io.stdout(usage);
      return command === undefined && !flags.help ? 1 : 0;
    }
    if (command === 'doctor') {
      const rows = await collectDoctorRows();
      if (!flags.smoke) {
        io.stdout(flags.json ? JSON.stringify(rows, null, 2) : renderDoctor(rows));
        return 0;
      }
      const smoke = await runSmoke(flags['cache-dir']);
      io.stdout(flags.json ? JSON.stringify({ backends: rows, smoke }, toJsonValue, 2) : `${renderDoctor(rows)}\n\n${renderSmoke(smoke)}`);
      return smoke.some((row) => row.status === 'failed') ? 1 : 0;
    }
    if (command === 'bench') return await runBenchCommand(values as Parameters<typeof runBenchCommand>[0], rest, argv, io);
    if (command !== 'run') throw new InvalidInputError({ reason: `unknown command ${command} (try accel --help)` });

    const [skillName, ...inputs] = rest;
    if (skillName === undefined) throw new InvalidInputError({ reason: 'accel run needs a skill name, e.g. accel run bert "some text"' });
    const skillCommand = skillCommands.find((candidate) => candidate.name === skillName);
    if (skillCommand === undefined) {
      throw new UnsupportedError({ feature: `skill ${skillName} (known skills: ${skillCommands.map((candidate) => candidate.name).join(', ')})` });
    }
    if (!isDtype(flags.dtype)) throw new InvalidInputError({ reason: `unknown dtype ${flags.dtype}` });
    if (flags.stream && !skillCommand.streams) throw new InvalidInputError({ reason: `skill ${skillName} does not stream text` });
    const request = skillCommand.toRequest(inputs, flags);
    const threads = positiveInteger(flags.threads, 'threads');
    const result = await runSkill({
      command: skillCommand,
      input: request.input,
      ...(request.options ? { skillOptions: request.options } : {}),
      backend: flags.backend ?? 'cpu',
      ...(flags.fallback ? { fallback: flags.fallback.split(',').map((label) => label.trim()).filter(Boolean) } : {}),
      dtype: flags.dtype,
      allowDownload: flags.download,
      ...(flags.model === undefined ? {} : { model: flags.model }),
      ...(threads === undefined ? {} : { threads }),
      ...(flags['cache-dir'] === undefined ? {} : { cacheDirectory: flags['cache-dir'] }),
      onProgress: (message) => io.stderr(message),
      ...(flags.stream ? { onText: (text: string) => io.write?.(text) ?? io.stdout(text) } : {}),
    });
    if (flags.stream && !flags.json) {
      io.stdout('');
      io.stdout(formatProvenance(result.provenance));
      return 0;
    }
    io.stdout(
      flags.json
        ? JSON.stringify(result, toJsonValue, 2)
        : `${skillCommand.formatOutput(result.output, inputs, flags)}\n${formatProvenance(result.provenance)}`,
    );
    return 0;
  } catch (error) {
    if (AccelError.isInstance(error)) io.stderr(`error: ${error.toLine()}`);
    else io.stderr(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    if (verbose && error instanceof Error && error.stack) io.stderr(error.stack);
    return 1;
  }
}
