import type { Provenance } from '../../provenance/provenance.js';

/** A command-line flag that carries input (a file, a label list), as opposed to an option. */
export interface SkillCliFlagV1 {
  readonly type: 'string' | 'boolean';
  /** The flag may be given several times (`--image a.png --image b.png`). */
  readonly multiple?: boolean;
  /** One line for `--help`. */
  readonly description: string;
  /** The value's placeholder in `--help`, e.g. `<file>`. */
  readonly placeholder?: string;
}

/** A parsed command line, as `toRequest` and `format` see it. */
export interface SkillCliCommand {
  /** Positional arguments; with `--input-file`, the files' texts instead. */
  readonly positionals: readonly string[];
  /** How each positional is named for people: its `--input-file` path, else the text, quoted and shortened. */
  readonly inputNames: readonly string[];
  /** The `--input-file` paths the positionals were read from (`-` is stdin); empty when they were typed. */
  readonly inputFiles: readonly string[];
  /** The skill's input flags (`flags` below), by name; absent when not given. */
  readonly flags: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
}

/**
 * How `accel run <skill>` reads a request from a command line and prints a result. Options are not
 * listed here: every field of `schemas.options` becomes a flag (`maxNewTokens` → `--max-new-tokens`).
 */
export interface SkillCliV1<Input = unknown, Options = unknown, Output = unknown> {
  /** Usage lines for `--help`, e.g. `accel run clip --image <file>… --labels "a cat,a dog"`. */
  readonly usage: readonly string[];
  /** What the positional arguments are, for `--help` (e.g. `text…`); absent: the skill takes none. */
  readonly positionals?: string;
  /**
   * Positionals are texts, so `--input-file <path>` can stand for one (a text too long for an
   * argument). Default true; false when positionals are file paths (audio files).
   */
  readonly textInputFiles?: boolean;
  /** Flags that carry input; their names must not collide with option fields. */
  readonly flags?: Readonly<Record<string, SkillCliFlagV1>>;
  /** The request for a command line. Throws `InvalidInputError` for one that makes no request. */
  toRequest(command: SkillCliCommand): { readonly input: Input; readonly options?: Partial<Options> };
  /** The result as text for people (`--json` prints the output as JSON instead); the provenance is printed after it. */
  format(output: Output, command: SkillCliCommand, provenance: Provenance): string;
}
