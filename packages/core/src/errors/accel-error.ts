const marker = 'accel.error';
const symbol = Symbol.for(marker);

/**
 * Base class of every error accel throws across a package edge.
 *
 * Each subclass has a stable `code`. Use the static `isInstance` guards rather than
 * `instanceof`: they work even when two copies of `@accel/core` are installed.
 */
export class AccelError extends Error {
  private readonly [symbol] = true;

  /** Stable, machine-readable identifier such as `ACCEL_INVALID_INPUT`. */
  readonly code: string;

  constructor({ code, message, cause }: { code: string; message: string; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AccelError';
    this.code = code;
  }

  /** True for any accel error, from any copy of `@accel/core`. */
  static isInstance(error: unknown): error is AccelError {
    return AccelError.hasMarker(error, marker);
  }

  /** A one-line `CODE: message` summary, for command lines and logs. */
  toLine(): string {
    return `${this.code}: ${this.message.split('\n')[0]}`;
  }

  protected static hasMarker(error: unknown, name: string): boolean {
    return (
      error != null &&
      typeof error === 'object' &&
      Symbol.for(name) in error &&
      (error as Record<symbol, unknown>)[Symbol.for(name)] === true
    );
  }
}
