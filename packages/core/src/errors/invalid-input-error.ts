import { AccelError } from './accel-error.js';

const marker = 'accel.error.invalid-input';
const symbol = Symbol.for(marker);

/** The input was rejected before any work was done; fix the input and retry. */
export class InvalidInputError extends AccelError {
  private readonly [symbol] = true;
  /** Why the input was rejected. */
  readonly reason: string;
  /** Index of the offending item when the input was a list. */
  readonly index: number | undefined;

  constructor({ reason, index, message, cause }: { reason: string; index?: number; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_INVALID_INPUT', message: message ?? (index === undefined ? `invalid input: ${reason}` : `invalid input at index ${index}: ${reason}`), cause });
    this.name = 'InvalidInputError';
    this.reason = reason;
    this.index = index;
  }

  static override isInstance(error: unknown): error is InvalidInputError {
    return AccelError.hasMarker(error, marker);
  }
}
