import { AccelError } from './accel-error.js';

const marker = 'accel.error.endpoint-not-found';
const symbol = Symbol.for(marker);

/** No endpoint matches the id, or no endpoint serves the skill that was asked for. */
export class EndpointNotFoundError extends AccelError {
  private readonly [symbol] = true;
  /** The endpoint id or skill that was asked for. */
  readonly endpoint: string;

  constructor({ endpoint, message, cause }: { endpoint: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_ENDPOINT_NOT_FOUND', message: message ?? (`no endpoint ${endpoint}`), cause });
    this.name = 'EndpointNotFoundError';
    this.endpoint = endpoint;
  }

  static override isInstance(error: unknown): error is EndpointNotFoundError {
    return AccelError.hasMarker(error, marker);
  }
}
