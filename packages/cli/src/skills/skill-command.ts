import type { ParseArgsConfig } from 'node:util';

/** Flag values as `parseArgs` returns them. */
export type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** How `accel run <skill>` turns a command line into a request and a result into text. */
export interface SkillCommand {
  /** The skill's name, as typed after `accel run`. */
  readonly name: string;
  readonly packageName: string;
  /** The skill object's export name in the package. */
  readonly exportName: string;
  /** One usage line, e.g. `accel run clip --image cat.png --labels "a cat,a dog"`. */
  readonly usage: string;
  /** Flags of this skill; flags with the same name must mean the same in every skill. */
  readonly flags?: NonNullable<ParseArgsConfig['options']>;
  /** True when the skill can stream text (`--stream`). */
  readonly streams?: boolean;
  /** Builds the request. Throw `InvalidInputError` for a bad command line. */
  toRequest(positionals: readonly string[], flags: FlagValues): { input: unknown; options?: Record<string, unknown> };
  /** Renders the output for people; `--json` prints it as JSON instead. */
  formatOutput(output: unknown, positionals: readonly string[], flags: FlagValues): string;
}
