import { InvalidInputError, UnsupportedError, type SkillCliCommand, type SkillCliV1, type SkillV1 } from '@accel/core';
import { runFlags, type FlagTable } from './command-line.js';
import { optionFlagsOf, optionsFromFlags, parseArgsTableOf, type OptionFlag } from './option-flags.js';
import { describeInputFile, describeText, inputFileFlags, inputFilePaths } from './input-files.js';
import type { FlagValues } from './flag-values.js';

/** What `accel run <skill>` needs of a skill: its CLI description and the flags its schemas give. */
export interface SkillCommandLine {
  readonly skill: SkillV1;
  readonly cli: SkillCliV1;
  /** One flag per field of the skill's options schema. */
  readonly optionFlags: readonly OptionFlag[];
  /** The whole `parseArgs` table: the common flags, `--input-file` for skills that take texts, the input flags and the option flags. */
  readonly table: FlagTable;
}

/** The command line of a skill, from its `cli` description and its options schema. */
export function commandLineOf(skill: SkillV1): SkillCommandLine {
  const cli = skill.cli;
  if (cli === undefined) throw new UnsupportedError({ feature: `skill ${skill.name} on the command line: ${skill.packageName} describes no command line (SkillV1.cli)` });
  const optionFlags = optionFlagsOf(skill.schemas?.options);
  const inputFlags = Object.fromEntries(Object.entries(cli.flags ?? {}).map(([flag, config]) => [flag, { type: config.type, ...(config.multiple ? { multiple: true } : {}) }]));
  for (const flag of optionFlags) {
    if (flag.flag in inputFlags || flag.flag in runFlags) throw new UnsupportedError({ feature: `skill ${skill.name}: option ${flag.field} and a flag of the command line share --${flag.flag}` });
  }
  const takesInputFiles = cli.positionals !== undefined && cli.textInputFiles !== false;
  const table = { ...parseArgsTableOf(optionFlags), ...inputFlags, ...(takesInputFiles ? inputFileFlags : {}), ...runFlags } as FlagTable;
  return { skill, cli, optionFlags, table };
}

/**
 * The command as the skill sees it: positional texts (or the texts of `--input-file`s), how each
 * is named for people, and the input flags.
 */
export async function skillCommandOf(
  line: SkillCommandLine,
  positionals: readonly string[],
  values: FlagValues,
  readInputs: (paths: readonly string[]) => Promise<string[]>,
): Promise<SkillCliCommand> {
  const paths = inputFilePaths(values);
  if (paths.length > 0 && positionals.length > 0) throw new InvalidInputError({ reason: 'give the texts as arguments or with --input-file, not both' });
  if (line.cli.positionals === undefined && positionals.length > 0) {
    throw new InvalidInputError({ reason: `accel run ${line.skill.name} takes no positional argument (got ${JSON.stringify(positionals[0])}); see accel run ${line.skill.name} --help` });
  }
  const texts = paths.length > 0 ? await readInputs(paths) : [...positionals];
  const flags = Object.fromEntries(Object.keys(line.cli.flags ?? {}).map((flag) => [flag, values[flag] as SkillCliCommand['flags'][string]]));
  return { positionals: texts, inputNames: paths.length > 0 ? paths.map(describeInputFile) : texts.map(describeText), inputFiles: paths, flags };
}

/** The request for a command line: the skill's input and options from its flags, and from the option flags. */
export function requestOf(line: SkillCommandLine, command: SkillCliCommand, values: FlagValues): { input: unknown; options: Record<string, unknown> } {
  const fromOptionFlags = optionsFromFlags(line.optionFlags, values);
  const request = line.cli.toRequest(command);
  return { input: request.input, options: { ...fromOptionFlags, ...(request.options ?? {}) } };
}
