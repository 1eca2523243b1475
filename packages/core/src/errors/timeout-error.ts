import { AccelError } from './accel-error.js';

const marker = 'accel.error.timeout';
const symbol = Symbol.for(marker);

/** A request did not finish within its time limit. */
export class TimeoutError extends AccelError {
  private readonly [symbol] = true;
  /** The limit that passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor({ timeoutMs, message, cause }: { timeoutMs: number; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_TIMEOUT', message: message ?? (`request timed out after ${timeoutMs} ms`), cause });
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }

  static override isInstance(error: unknown): error is TimeoutError {
    return AccelError.hasMarker(error, marker);
  }
}
