import type { ParseArgsConfig } from 'node:util';
import type { Provenance } from '@accel/core';

import type { FlagValues } from '../flag-values.js';

export type { FlagValues } from '../flag-values.js';

/** How `accel run <skill>` turns a command line into a request and a result into text. */
export interface SkillCommand {
  /** The skill's name, as typed after `accel run`. */
  readonly name: string;
  readonly packageName: string;
  /** The skill object's export name in the package. */
  readonly exportName: string;
  /** One usage line, e.g. `accel run clip --image cat.png --labels "a cat,a dog"`. */
  readonly usage: string;
  /**
   * Flags of this skill; flags with the same name must mean the same in every skill. `accel run
   * <skill>` parses exactly these plus the common ones: any other flag is an error.
   */
  readonly flags?: NonNullable<ParseArgsConfig['options']>;
  /** Flags other skills take that this one refuses, with why: a clearer error than "takes no option". */
  readonly refusedFlags?: Readonly<Record<string, string>>;
  /** True when the skill can stream text (`--stream`). */
  readonly streams?: boolean;
  /** Builds the request. Throw `InvalidInputError` for a bad command line. */
  toRequest(positionals: readonly string[], flags: FlagValues): { input: unknown; options?: Record<string, unknown> };
  /**
   * Renders the output for people; `--json` prints it as JSON instead. `positionals` are the
   * inputs as `toRequest` got them (the texts of `--input-file`s, when given).
   */
  formatOutput(output: unknown, positionals: readonly string[], flags: FlagValues, provenance: Provenance): string;
}
