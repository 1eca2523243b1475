/** What running a program gave. */
export interface CommandOutcome {
  /** False when the program is not installed (spawning it failed with ENOENT). */
  readonly found: boolean;
  /** Exit code; null when the program never started or was killed (e.g. it timed out). */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Everything the CUDA probe reads from the machine. Internal: the backend uses the real system
 * (`nodeSystemAccess`); tests pass a simulated one so the probe's logic runs without a GPU.
 */
export interface SystemAccess {
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** Environment variables, read each time the probe runs. */
  environment(): Readonly<Record<string, string | undefined>>;
  runCommand(program: string, args: readonly string[]): Promise<CommandOutcome>;
  /** The file's text, or undefined when it cannot be read. */
  readTextFile(path: string): Promise<string | undefined>;
  /** Entry names of a folder; empty when it is missing or unreadable. */
  listFolder(path: string): Promise<string[]>;
  pathExists(path: string): Promise<boolean>;
}
