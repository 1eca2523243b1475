import { parseArgs } from 'node:util';
import { AccelError, InvalidInputError, isDtype } from '@accel/core';
import { collectDoctorRows, renderDoctor } from './commands/doctor.js';
import { runSkill } from './commands/run.js';
import { formatResult, toJsonValue } from './format-result.js';
import { knownSkills } from './known-packages.js';

const usage = `accel — run Hugging Face model families on whatever hardware this machine has

usage:
  accel run <skill> <input…> [--model <hub id | folder>] [--backend cpu] [--dtype fp32]
                             [--threads N] [--cache-dir DIR] [--download] [--json]
  accel doctor [--json]

skills: ${knownSkills.map((skill) => skill.name).join(', ')}
options:
  --model      hub id (looked up under --cache-dir) or a local model folder; default: the skill's default model
  --backend    device label: cpu (default), cuda:0, openvino:CPU, wasm, …
  --dtype      fp32 (default), fp16, q8, int8, uint8, q4
  --threads    intra-op threads for the backend (default: all cores)
  --cache-dir  model cache folder (default: $ACCEL_CACHE_DIR or ~/.cache/accel/models)
  --download   allow downloading a missing model from the hub
  --json       print the result as JSON
  --verbose    print stack traces on errors
`;

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  let verbose = argv.includes('--verbose');
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        backend: { type: 'string', default: 'cpu' },
        dtype: { type: 'string', default: 'fp32' },
        threads: { type: 'string' },
        'cache-dir': { type: 'string' },
        download: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    verbose = values.verbose;
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.stdout(usage);
      return command === undefined && !values.help ? 1 : 0;
    }
    if (command === 'doctor') {
      const rows = await collectDoctorRows();
      io.stdout(values.json ? JSON.stringify(rows, null, 2) : renderDoctor(rows));
      return 0;
    }
    if (command === 'run') {
      const [skill, ...inputs] = rest;
      if (skill === undefined) throw new InvalidInputError({ reason: 'accel run needs a skill name, e.g. accel run bert "some text"' });
      if (inputs.length === 0) throw new InvalidInputError({ reason: `accel run ${skill} needs at least one input` });
      if (!isDtype(values.dtype)) throw new InvalidInputError({ reason: `unknown dtype ${values.dtype}` });
      const threads = values.threads === undefined ? undefined : Number(values.threads);
      if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
        throw new InvalidInputError({ reason: `--threads must be a positive integer, got ${values.threads}` });
      }
      const result = await runSkill({
        skill,
        inputs,
        backend: values.backend,
        dtype: values.dtype,
        allowDownload: values.download,
        ...(values.model === undefined ? {} : { model: values.model }),
        ...(threads === undefined ? {} : { threads }),
        ...(values['cache-dir'] === undefined ? {} : { cacheDirectory: values['cache-dir'] }),
        onProgress: (message) => io.stderr(message),
      });
      io.stdout(values.json ? JSON.stringify(result, toJsonValue, 2) : formatResult(result, inputs));
      return 0;
    }
    throw new InvalidInputError({ reason: `unknown command ${command} (try accel --help)` });
  } catch (error) {
    if (AccelError.isInstance(error)) io.stderr(`error: ${error.toLine()}`);
    else io.stderr(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    if (verbose && error instanceof Error && error.stack) io.stderr(error.stack);
    return 1;
  }
}
