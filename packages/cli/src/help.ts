import { benchUsage } from './commands/bench.js';
import { knownBackends } from './known-packages.js';
import type { SkillCommand } from './skills/index.js';

const backendNames = knownBackends.map((known) => known.name).join(', ');

const runOptions = `options of every skill:
  --model      hub id (looked up under --cache-dir) or a local model folder; default: the skill's default model
  --backend    device label: cpu (default), wasm, cuda:0, cuda:*, openvino:GPU, auto (the best available)
  --fallback   comma-separated device labels to fall back to, e.g. --backend cuda:0 --fallback cpu
  --dtype      fp32 (default), fp16, q8, int8, uint8, q4
  --threads    intra-op threads for the backend (default: all cores)
  --cache-dir  model cache folder (default: $ACCEL_CACHE_DIR or ~/.cache/accel/models)
  --download   allow downloading a missing model from the hub (progress on stderr)
  --stream     print generated text as it comes (generative skills; with --json: one JSON event per line)
  --json       print the result as JSON (errors too, on stderr)
  --verbose    print skipped backends' full reasons and fixes, and stack traces with errors`;

/** What each skill flag means; a flag means the same in every skill that takes it. */
const skillFlagHelp: Readonly<Record<string, string>> = {
  'input-file': 'read one input from a file (repeatable; - is stdin): for text too long for an argument',
  'max-new-tokens': 'most tokens to generate',
  temperature: 'sampling temperature; 0 (default) is greedy',
  'top-k': 'sample from the K most likely tokens',
  'top-p': 'sample from the smallest set of tokens whose probability reaches P',
  'repetition-penalty': 'penalty for tokens already generated (1 = none)',
  seed: 'random seed for sampling: the same seed gives the same text',
  stop: 'stop before this text (repeatable)',
  chat: "send the prompt as a user message, formatted with the model's chat template",
  system: 'a system message (with --chat)',
  image: 'an image file (repeatable, in order)',
  labels: 'comma-separated labels for zero-shot classification',
  template: 'the sentence each label goes into, {} marks the label',
  audio: 'an audio file',
  frames: 'a folder of frames, a video file (needs ffmpeg) or comma-separated frame files',
  language: 'the spoken language (multilingual models)',
  task: 'the task, as the usage line lists',
  timestamps: 'print times with the text',
};

/** `accel --help`. */
export function generalHelp(skills: readonly SkillCommand[]): string {
  return `accel — run Hugging Face model families on whatever hardware this machine has

usage:
  accel run <skill> <input…> [options]    run a skill (accel run --help; accel run <skill> --help)
  accel doctor [--smoke] [--json]          which backends run here, why not, and the fix (accel doctor --help)
  accel bench [--quick] …                  speed against raw onnxruntime and transformers.js (accel bench --help)
  accel --version                          the versions of the CLI and each installed @accel package

skills: ${skills.map((command) => command.name).join(', ')}
backends: ${backendNames}
`;
}

/** `accel run --help`. */
export function runHelp(skills: readonly SkillCommand[]): string {
  return `usage:
${skills.map((command) => `  ${command.usage}`).join('\n')}

${runOptions}

each skill's own options: accel run <skill> --help
`;
}

/** `accel run <skill> --help`: the skill's usage, its own options, then the common ones. */
export function skillHelp(command: SkillCommand): string {
  const own = Object.entries(command.flags ?? {}).map(([flag, config]) => {
    const value = config.type === 'string' ? ' <value>' : '';
    return `  --${`${flag}${value}`.padEnd(22)} ${skillFlagHelp[flag] ?? ''}`.trimEnd();
  });
  return `usage: ${command.usage}

${own.length > 0 ? `options of ${command.name}:\n${own.join('\n')}\n\n` : ''}${runOptions}
`;
}

/** `accel doctor --help`. */
export const doctorHelp = `usage: accel doctor [--smoke] [--cache-dir DIR] [--json] [--verbose]

Probes every backend package the CLI knows (${backendNames}): installed or not, available or not,
the devices, dtypes and runtime; for an unavailable one, why and the fix.

options:
  --smoke      also run every installed skill on a tiny forged model on every available backend (no download)
  --cache-dir  where --smoke writes its tiny models (default: a folder in the system's temp folder)
  --json       print the rows as JSON
  --verbose    print stack traces with errors
`;

/** `accel bench --help`. */
export const benchHelp = `usage: ${benchUsage}

Measures accel against raw onnxruntime and transformers.js on the same model files, in the same
process and run, and reports ratios (bench.json, bench.md, ratios.svg under --out).

options:
  --quick      the quick subset, with fewer samples: bert-tiny on cpu and wasm; MiniLM, CLIP batch 1 and gpt2 on cpu; two models
  --skills     bench profiles or skill names to run, e.g. bert-tiny,minilm,gpt2
  --backends   backends to measure, e.g. cpu,wasm; unavailable ones are listed as skipped with the reason
  --replicas   copies of the model behind each accel endpoint (default 1): see @accel/core's replicas
  --cache-dir  where the full-size forged models are written and reused (default .cache/models/full)
  --out        report folder (default reports/bench)
  --json       print the whole result as JSON instead of the summary
  --verbose    print stack traces with errors
`;
