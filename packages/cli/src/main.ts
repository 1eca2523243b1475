import { InvalidInputError, isDtype } from '@accel/core';
import { doctorFlags, globalFlags, parseCommandLine, positionalsOf, positiveInteger, runFlags, type FlagTable, type RunFlagValues } from './command-line.js';
import { benchCommand } from './commands/bench.js';
import { modelsCommand, modelsFlags } from './commands/models.js';
import { collectDoctorRows, renderDoctor } from './commands/doctor.js';
import { runSkill } from './commands/run.js';
import { serveCommand, serveFlags } from './commands/serve.js';
import { sweepCommand, sweepFlags } from './commands/sweep.js';
import { renderSmoke, runSmoke } from './commands/smoke.js';
import { workerCommand, workerFlags } from './commands/worker.js';
import { createDownloadProgress, type DownloadProgressOutput } from './download-progress.js';
import { formatError } from './format-error.js';
import { formatProvenance, toJsonValue } from './format-result.js';
import { doctorHelp, generalHelp, runHelp, skillHelp } from './help.js';
import { readInputFiles, readProcessStdin } from './input-files.js';
import { commandLineOf, requestOf, skillCommandOf, type SkillCommandLine } from './skill-command-line.js';
import { installedSkillNames, installedSkills, loadSkill } from './skill-packages.js';
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
const everyFlag: FlagTable = Object.assign({}, doctorFlags, runFlags, modelsFlags, serveFlags, workerFlags, sweepFlags);

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

async function run(argv: readonly string[], io: CommandIo, skillName: string | undefined): Promise<number> {
  if (skillName === undefined) {
    const { values } = parseCommandLine(argv, runFlags, 'accel run');
    if (values.help !== true) throw new InvalidInputError({ reason: 'accel run needs a skill name, e.g. accel run bert "some text" (accel run --help)' });
    io.stdout(runHelp(await commandLines()));
    return 0;
  }
  const line = commandLineOf(await loadSkill(skillName));
  const { values, positionals } = parseCommandLine(argv, line.table, `accel run ${skillName}`);
  const flags = values as RunFlagValues;
  if (flags.help) {
    io.stdout(skillHelp(line));
    return 0;
  }
  if (!isDtype(flags.dtype)) throw new InvalidInputError({ reason: `unknown dtype ${flags.dtype}` });
  if (flags.stream && line.skill.streams !== true) throw new InvalidInputError({ reason: `skill ${skillName} does not stream text` });
  const command = await skillCommandOf(line, positionals.slice(2), values, (paths) => readInputFiles(paths, io.readStdin ?? readProcessStdin));
  const request = requestOf(line, command, values);
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
      skill: line.skill,
      input: request.input,
      skillOptions: request.options,
      backend: flags.backend ?? 'cpu',
      ...(flags.fallback ? { fallback: flags.fallback.split(',').map((label) => label.trim()).filter(Boolean) } : {}),
      dtype: flags.dtype,
      offline: flags.offline,
      verify: flags.verify,
      ...(flags.revision === undefined ? {} : { revision: flags.revision }),
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
    io.stdout(`${line.cli.format(result.output, command, result.provenance)}\n${provenance}`);
  }
  return 0;
}

/** The command lines of every installed skill that describes one, for `accel run --help`. */
async function commandLines(): Promise<SkillCommandLine[]> {
  return (await installedSkills()).flatMap((skill) => (skill.cli === undefined ? [] : [commandLineOf(skill)]));
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
    if (command === 'bench') return await benchCommand(argv, io);
    if (command === 'serve') return await serveCommand(argv, { stdout: io.stdout, stderr: io.stderr, progress: io.progress ?? defaultProgress(io) });
    if (command === 'sweep') return await sweepCommand(argv, { stdout: io.stdout, stderr: io.stderr, progress: io.progress ?? defaultProgress(io) });
    if (command === 'worker') return await workerCommand(argv, { stdout: io.stdout, stderr: io.stderr, progress: io.progress ?? defaultProgress(io) });
    if (command === 'models') {
      const progress = createDownloadProgress(io.progress ?? defaultProgress(io));
      return await modelsCommand(argv, { stdout: io.stdout, stderr: io.stderr, onProgress: (event) => progress.update(event), onPullEnd: () => progress.finish() });
    }
    if (command === undefined || command === 'help') {
      const { values } = parseCommandLine(argv, globalFlags, 'accel');
      io.stdout(generalHelp(installedSkillNames()));
      return command === undefined && values.help !== true ? 1 : 0;
    }
    throw new InvalidInputError({ reason: `unknown command ${command} (try accel --help)` });
  } catch (error) {
    io.stderr(formatError(error, { json, verbose }));
    return 1;
  }
}
