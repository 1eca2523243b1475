import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InvalidInputError } from '@accel/core';
import type { FlagValues } from './flag-values.js';

export type FlagTable = NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes. */
export const globalFlags = {
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies FlagTable;

/** Flags of `accel run` for every skill; each skill adds its own (`SkillCommand.flags`). */
export const runFlags = {
  ...globalFlags,
  model: { type: 'string' },
  backend: { type: 'string', default: 'cpu' },
  fallback: { type: 'string' },
  dtype: { type: 'string', default: 'fp32' },
  threads: { type: 'string' },
  'cache-dir': { type: 'string' },
  offline: { type: 'boolean', default: false },
  revision: { type: 'string' },
  verify: { type: 'boolean', default: false },
  stream: { type: 'boolean', default: false },
} as const satisfies FlagTable;

/** Flags of `accel doctor`. */
export const doctorFlags = {
  ...globalFlags,
  smoke: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
} as const satisfies FlagTable;

/** The flag values of `accel run`'s common flags, as `parseArgs` returns them. */
export type RunFlagValues = FlagValues & {
  readonly [K in keyof typeof runFlags]: (typeof runFlags)[K]['type'] extends 'boolean' ? boolean : string | undefined;
};

/** The positional arguments, read leniently (before the command, and so its flags, is known). */
export function positionalsOf(argv: readonly string[], everyFlag: FlagTable): string[] {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: false, options: everyFlag }).positionals;
}

/** Where an option's value starts with a dash, the value as typed (`--max-new-tokens -5` → `-5`). */
function valueAfter(argv: readonly string[], option: string): string | undefined {
  const index = argv.indexOf(option);
  return index === -1 ? undefined : argv[index + 1];
}

/**
 * Parses `argv` strictly against `flags` (the command's own and the common ones). A flag the
 * command does not take, a missing value or a value that starts with a dash is an
 * `InvalidInputError` that names the command and what to type instead.
 */
export function parseCommandLine(argv: readonly string[], flags: FlagTable, command: string): { values: FlagValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: flags });
    return { values: values as FlagValues, positionals };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
      throw new InvalidInputError({ reason: `${command} takes no option ${option} (its options: ${command} --help)`, cause: error });
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
      if (message.includes('ambiguous')) {
        const value = valueAfter(argv, option) ?? '-…';
        if (value.startsWith('--') && value.slice(2).split('=')[0]! in flags) throw new InvalidInputError({ reason: `${option} needs a value`, cause: error });
        throw new InvalidInputError({ reason: `${option} ${value}: a value that starts with a dash goes after an equals sign: ${option}=${value}`, cause: error });
      }
      if (message.includes('argument missing')) throw new InvalidInputError({ reason: `${option} needs a value`, cause: error });
      if (message.includes('does not take an argument')) throw new InvalidInputError({ reason: `${option} takes no value`, cause: error });
    }
    throw new InvalidInputError({ reason: message.split('\n')[0] ?? message, cause: error });
  }
}

/** A positive integer flag, or undefined when absent. */
export function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidInputError({ reason: `--${flag} must be a positive integer, got ${value}` });
  return number;
}
