import { AccelError } from './accel-error.js';

const marker = 'accel.error.inference';
const symbol = Symbol.for(marker);

/** The backend failed while running a request for a reason accel cannot classify further. `cause` holds the runtime's error. */
export class InferenceError extends AccelError {
  private readonly [symbol] = true;
  /** Endpoint whose backend failed. */
  readonly endpoint: string;

  constructor({ endpoint, message, cause }: { endpoint: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_INFERENCE', message: message ?? (`inference failed on endpoint ${endpoint}`), cause });
    this.name = 'InferenceError';
    this.endpoint = endpoint;
  }

  static override isInstance(error: unknown): error is InferenceError {
    return AccelError.hasMarker(error, marker);
  }
}
