import { AccelError } from './accel-error.js';

const marker = 'accel.error.backend-unavailable';
const symbol = Symbol.for(marker);

/** A backend cannot run on this machine. The message names what is missing and, when known, how to get it. */
export class BackendUnavailableError extends AccelError {
  private readonly [symbol] = true;
  /** Backend name, e.g. `cuda`. */
  readonly backend: string;
  /** What is missing on this machine. */
  readonly reason: string;
  /** A command or step that makes the backend available, when one is known. */
  readonly fix: string | undefined;

  constructor({ backend, reason, fix, message, cause }: { backend: string; reason: string; fix?: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_BACKEND_UNAVAILABLE', message: message ?? (`backend ${backend} is unavailable: ${reason}${fix ? ` (fix: ${fix})` : ''}`), cause });
    this.name = 'BackendUnavailableError';
    this.backend = backend;
    this.reason = reason;
    this.fix = fix;
  }

  static override isInstance(error: unknown): error is BackendUnavailableError {
    return AccelError.hasMarker(error, marker);
  }
}
