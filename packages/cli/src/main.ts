import { InvalidInputError, isDtype, UnsupportedError } from '@accel/core';
import { doctorFlags, globalFlags, parseCommandLine, positionalsOf, positiveInteger, runFlags, type FlagTable, type RunFlagValues } from './command-line.js';
import { benchFlags, runBenchCommand } from './commands/bench.js';
import { collectDoctorRows, renderDoctor } from './commands/doctor.js';
import { runSkill } from './commands/run.js';
import { renderSmoke, runSmoke } from './commands/smoke.js';
import { createDownloadProgress, type DownloadProgressOutput } from './download-progress.js';
import { formatError } from './format-error.js';
import { formatProvenance, toJsonValue } from './format-result.js';
import { benchHelp, doctorHelp, generalHelp, runHelp, skillHelp } from './help.js';
import { inputFilePaths, readInputFiles, readProcessStdin } from './skills/input-files.js';
import { skillCommands, type SkillCommand } from './skills/index.js';
import { installedVersions } from './versions.js';

export interface CommandIo {
  /** Writes a line. */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Writes text without a newline (streamed tokens); falls back to `stdout`. */
  readonly write?: (text: string) => void;
  /** Reads all of stdin, for `--input-file -`; default: this process's stdin. */
  readonly readStdin?: () => Promise<string>;
  /** Where download progress goes; default: redrawn in place when stderr is a terminal, else lines through `stderr`. */
  readonly progress?: DownloadProgressOutput;
}

/** Every flag of every command, to find the command and skill before parsing strictly. */
const everyFlag: FlagTable = Object.assign({}, ...skillCommands.map((command) => command.flags ?? {}), benchFlags, doctorFlags, runFlags);

const benchCommandFlags = { ...globalFlags, ...benchFlags, 'cache-dir': { type: 'string' } } as const satisfies FlagTable;

/** `true` when the flag is on the command line (before a `--`). */
function hasFlag(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes(flag);
}

function defaultProgress(io: CommandIo): DownloadProgressOutput {
  const interactive = process.stderr.isTTY === true;
  return { interactive, write: interactive ? (text) => void process.stderr.write(text) : (text) => io.stderr(text) };
}

async function doctor(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandLine(argv, doctorFlags, 'accel doctor');
  if (values.help === true) {
    io.stdout(doctorHelp);
    return 0;
  }
  const rows = await collectDoctorRows();
  if (values.smoke !== true) {
    io.stdout(values.json === true ? JSON.stringify(rows, null, 2) : renderDoctor(rows));
    return 0;
  }
  const cacheDirectory = typeof values['cache-dir'] === 'string' ? values['cache-dir'] : undefined;
  const smoke = await runSmoke(cacheDirectory);
  io.stdout(values.json === true ? JSON.stringify({ backends: rows, smoke }, toJsonValue, 2) : `${renderDoctor(rows)}\n\n${renderSmoke(smoke, { reasonsAbove: true })}`);
  return smoke.some((row) => row.status === 'failed') ? 1 : 0;
}

async function bench(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, benchCommandFlags, 'accel bench');
  if (values.help === true) {
    io.stdout(benchHelp);
    return 0;
  }
  return runBenchCommand(values as Parameters<typeof runBenchCommand>[0], positionals.slice(1), argv, io);
}

/** The texts of `--input-file`s, which stand for the positional inputs; none when the flag is absent. */
async function inputsOf(positionals: string[], flags: RunFlagValues, io: CommandIo): Promise<string[]> {
  const paths = inputFilePaths(flags);
  if (paths.length === 0) return positionals;
  if (positionals.length > 0) throw new InvalidInputError({ reason: 'give the texts as arguments or with --input-file, not both' });
  return readInputFiles(paths, io.readStdin ?? readProcessStdin);
}

async function run(argv: readonly string[], io: CommandIo, skillName: string | undefined): Promise<number> {
  const skillCommand = skillName === undefined ? undefined : skillCommands.find((candidate) => candidate.name === skillName);
  if (skillCommand === undefined) {
    const { values } = parseCommandLine(argv, runFlags, 'accel run');
    if (values.help === true && skillName === undefined) {
      io.stdout(runHelp(skillCommands));
      return 0;
    }
    if (skillName === undefined) throw new InvalidInputError({ reason: 'accel run needs a skill name, e.g. accel run bert "some text" (accel run --help)' });
    throw new UnsupportedError({ feature: `skill ${skillName} (known skills: ${skillCommands.map((candidate) => candidate.name).join(', ')})` });
  }
  const { values, positionals } = parseSkillCommandLine(argv, skillCommand);
  const flags = values as RunFlagValues;
  if (flags.help) {
    io.stdout(skillHelp(skillCommand));
    return 0;
  }
  if (!isDtype(flags.dtype)) throw new InvalidInputError({ reason: `unknown dtype ${flags.dtype}` });
  if (flags.stream && !skillCommand.streams) throw new InvalidInputError({ reason: `skill ${skillCommand.name} does not stream text` });
  const inputs = await inputsOf(positionals.slice(2), flags, io);
  const request = skillCommand.toRequest(inputs, flags);
  const threads = positiveInteger(flags.threads, 'threads');
  const progress = createDownloadProgress(io.progress ?? defaultProgress(io));
  const onText = !flags.stream
    ? undefined
    : flags.json
      ? (text: string) => io.stdout(JSON.stringify({ type: 'text', text }))
      : (text: string) => (io.write ? io.write(text) : io.stdout(text));
  let result;
  try {
    result = await runSkill({
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
      onProgress: (event) => progress.update(event),
      ...(onText ? { onText } : {}),
    });
  } finally {
    progress.finish();
  }
  const { skippedProbes, ...inferResult } = result;
  const provenance = formatProvenance(result.provenance, { verbose: flags.verbose, skippedProbes });
  if (flags.json) {
    // Streamed: one JSON event per line (NDJSON), the result last; else one JSON document.
    io.stdout(flags.stream ? JSON.stringify({ type: 'result', ...inferResult }, toJsonValue) : JSON.stringify(inferResult, toJsonValue, 2));
  } else if (flags.stream) {
    io.stdout('');
    io.stdout(provenance);
  } else {
    io.stdout(`${skillCommand.formatOutput(result.output, inputs, flags, result.provenance)}\n${provenance}`);
  }
  return 0;
}

/** Parses `accel run <skill> …` with the common flags and the skill's own; a flag another skill takes but this one refuses says why. */
function parseSkillCommandLine(argv: readonly string[], command: SkillCommand) {
  const refused = command.refusedFlags ?? {};
  const refusedTable = Object.fromEntries(Object.keys(refused).map((flag) => [flag, everyFlag[flag] ?? { type: 'string' }])) as FlagTable;
  const parsed = parseCommandLine(argv, { ...refusedTable, ...(command.flags ?? {}), ...runFlags }, `accel run ${command.name}`);
  for (const [flag, reason] of Object.entries(refused)) {
    if (parsed.values[flag] !== undefined) throw new InvalidInputError({ reason });
  }
  return parsed;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const json = hasFlag(argv, '--json');
  const verbose = hasFlag(argv, '--verbose');
  try {
    const [command, skillName] = positionalsOf(argv, everyFlag);
    if (command === undefined && hasFlag(argv, '--version')) {
      const versions = installedVersions();
      io.stdout(json ? JSON.stringify(versions, null, 2) : versions.map(({ packageName, version }) => `${packageName} ${version}`).join('\n'));
      return 0;
    }
    if (command === 'run') return await run(argv, io, skillName);
    if (command === 'doctor') return await doctor(argv, io);
    if (command === 'bench') return await bench(argv, io);
    if (command === undefined || command === 'help') {
      const { values } = parseCommandLine(argv, globalFlags, 'accel');
      io.stdout(generalHelp(skillCommands));
      return command === undefined && values.help !== true ? 1 : 0;
    }
    throw new InvalidInputError({ reason: `unknown command ${command} (try accel --help)` });
  } catch (error) {
    io.stderr(formatError(error, { json, verbose }));
    return 1;
  }
}
