import { AccelError } from './accel-error.js';

const marker = 'accel.error.aborted';
const symbol = Symbol.for(marker);

/** A request was cancelled before it produced a result: by its AbortSignal, or because its endpoint was removed or disposed. */
export class AbortedError extends AccelError {
  private readonly [symbol] = true;
  /** Why the request was cancelled. */
  readonly reason: string;

  constructor({ reason, message, cause }: { reason: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_ABORTED', message: message ?? (`request aborted: ${reason}`), cause });
    this.name = 'AbortedError';
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is AbortedError {
    return AccelError.hasMarker(error, marker);
  }
}
