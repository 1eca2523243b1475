import { AccelError } from './accel-error.js';

const marker = 'accel.error.out-of-memory';
const symbol = Symbol.for(marker);

/** A device ran out of memory. Recoverable: the registry moves the request along the endpoint's fallback chain. */
export class OutOfMemoryError extends AccelError {
  private readonly [symbol] = true;
  /** Device label that ran out of memory, e.g. `cuda:0`. */
  readonly device: string;

  constructor({ device, message, cause }: { device: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_OUT_OF_MEMORY', message: message ?? (`out of memory on ${device}`), cause });
    this.name = 'OutOfMemoryError';
    this.device = device;
  }

  static override isInstance(error: unknown): error is OutOfMemoryError {
    return AccelError.hasMarker(error, marker);
  }
}
