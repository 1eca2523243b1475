import { AccelError } from './accel-error.js';

const marker = 'accel.error.device';
const symbol = Symbol.for(marker);

/** A device was lost or failed in a way the runtime reports as recoverable elsewhere (driver reset, device removed). */
export class DeviceError extends AccelError {
  private readonly [symbol] = true;
  /** Device label that failed, e.g. `cuda:0`. */
  readonly device: string;

  constructor({ device, message, cause }: { device: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_DEVICE', message: message ?? (`device ${device} failed`), cause });
    this.name = 'DeviceError';
    this.device = device;
  }

  static override isInstance(error: unknown): error is DeviceError {
    return AccelError.hasMarker(error, marker);
  }
}
