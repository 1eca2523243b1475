import { AccelError } from './accel-error.js';

const marker = 'accel.error.queue-full';
const symbol = Symbol.for(marker);

/** An endpoint's bounded queue is full. Answered at once; retry later or add endpoints. */
export class QueueFullError extends AccelError {
  private readonly [symbol] = true;
  /** Endpoint whose queue is full. */
  readonly endpoint: string;
  /** The queue's capacity in requests. */
  readonly capacity: number;

  constructor({ endpoint, capacity, message, cause }: { endpoint: string; capacity: number; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_QUEUE_FULL', message: message ?? (`queue of endpoint ${endpoint} is full (${capacity} requests)`), cause });
    this.name = 'QueueFullError';
    this.endpoint = endpoint;
    this.capacity = capacity;
  }

  static override isInstance(error: unknown): error is QueueFullError {
    return AccelError.hasMarker(error, marker);
  }
}
