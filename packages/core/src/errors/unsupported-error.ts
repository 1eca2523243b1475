import { AccelError } from './accel-error.js';

const marker = 'accel.error.unsupported';
const symbol = Symbol.for(marker);

/** A valid request for something this skill, backend or model does not offer (a task, a dtype, a device). */
export class UnsupportedError extends AccelError {
  private readonly [symbol] = true;
  /** What is not supported, e.g. `dtype fp16 on backend cpu`. */
  readonly feature: string;

  constructor({ feature, message, cause }: { feature: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_UNSUPPORTED', message: message ?? (`unsupported: ${feature}`), cause });
    this.name = 'UnsupportedError';
    this.feature = feature;
  }

  static override isInstance(error: unknown): error is UnsupportedError {
    return AccelError.hasMarker(error, marker);
  }
}
