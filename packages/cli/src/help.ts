import { knownBackends } from './known-packages.js';
import type { SkillCommandLine } from './skill-command-line.js';

const backendNames = knownBackends.map((known) => known.name).join(', ');

const runOptions = `options of every skill:
  --model      hub id (looked up under --cache-dir) or a local model folder; default: the skill's default model
  --backend    device label: cpu (default), wasm, cuda:0, cuda:*, openvino:GPU, auto (the best available)
  --fallback   comma-separated device labels to fall back to, e.g. --backend cuda:0 --fallback cpu
  --dtype      fp32 (default), fp16, q8, int8, uint8, q4
  --threads    intra-op threads for the backend (default: all cores)
  --cache-dir  model cache folder (default: $ACCEL_CACHE_DIR or ~/.cache/accel/models)
  --offline    never download a missing model (also ACCEL_OFFLINE=1 or HF_HUB_OFFLINE=1); by default a
               hub id not in the cache is downloaded, verified, and pinned to its commit (progress on stderr)
  --revision   branch, tag or commit of a model's first download (default main)
  --verify     re-hash the model's files against accel-manifest.json before loading (sizes are always checked)
  --stream     print generated text as it comes (generative skills; with --json: one JSON event per line)
  --json       print the result as JSON (errors too, on stderr)
  --verbose    print skipped backends' full reasons and fixes, and stack traces with errors`;

/** `accel --help`, listing the installed skills. */
export function generalHelp(skillNames: readonly string[]): string {
  return `accel — run Hugging Face model families on whatever hardware this machine has

usage:
  accel run <skill> <input…> [options]    run a skill (accel run --help; accel run <skill> --help)
  accel doctor [--smoke] [--json]          which backends run here, why not, and the fix (accel doctor --help)
  accel models pull|ls|rm|verify|export-car  the verified model store (accel models --help)
  accel bench [--quick] …                  speed against raw onnxruntime and transformers.js (accel bench --help)
  accel serve --config FILE [--check]      an OpenAI-compatible HTTP server for a config's endpoints (accel serve --help)
  accel serve <skill> [--model M]          the same for one endpoint of an installed skill
  accel serve --config FILE --nats URL     the same as a gateway: also serves the endpoints of a NATS cluster's workers
  accel worker --config FILE --nats URL    a cluster worker: serves a config's endpoints to gateways through NATS (accel worker --help)
  accel sweep --map FILE [--expect DIR]    run each mapped model_type's skill example on every backend (accel sweep --help)
  accel --version                          the versions of the CLI and each installed @accel package

skills: ${skillNames.length > 0 ? skillNames.join(', ') : 'none installed (npm install @accel/skill-<name>, e.g. @accel/skill-sentence-embeddings)'}
backends: ${backendNames}
`;
}

/** `accel run --help`: every installed skill's usage lines. */
export function runHelp(lines: readonly SkillCommandLine[]): string {
  return `usage:
${lines.flatMap((line) => line.cli.usage.map((usage) => `  ${usage}`)).join('\n')}

${runOptions}

each skill's own options: accel run <skill> --help
`;
}

/** A help table row: the flag (with its value placeholder) and what it means. */
function flagRow(flag: string, placeholder: string | undefined, description: string): string {
  return `  --${`${flag}${placeholder === undefined ? '' : ` ${placeholder}`}`.padEnd(24)} ${description}`.trimEnd();
}

/** `accel run <skill> --help`: the usage, the input flags, the options from the skill's schema, then the common ones. */
export function skillHelp(line: SkillCommandLine): string {
  const { skill, cli } = line;
  const inputs = [
    ...(cli.positionals === undefined ? [] : [`  <${cli.positionals}>`]),
    ...(cli.positionals === undefined || cli.textInputFiles === false ? [] : [flagRow('input-file', '<path | ->', 'read one input from a file (repeatable; - is stdin): for text too long for an argument')]),
    ...Object.entries(cli.flags ?? {}).map(([flag, config]) => flagRow(flag, config.type === 'string' ? (config.placeholder ?? '<value>') : undefined, config.description)),
  ];
  const options = line.optionFlags.map((flag) =>
    flagRow(flag.kind === 'boolean' ? `[no-]${flag.flag}` : flag.flag, flag.kind === 'boolean' ? undefined : flag.kind === 'number' ? '<number>' : '<value>', `${flag.description}${flag.kind === 'strings' || flag.kind === 'numbers' ? ' (repeatable)' : ''}`),
  );
  return `${skill.name} — ${skill.description} (${skill.packageName})

usage:
${cli.usage.map((usage) => `  ${usage}`).join('\n')}

${inputs.length > 0 ? `input:\n${inputs.join('\n')}\n\n` : ''}${options.length > 0 ? `options of ${skill.name} (from its schema):\n${options.join('\n')}\n\n` : ''}default model: ${skill.defaultModel}

${runOptions}
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
