import { AccelError } from './accel-error.js';

const marker = 'accel.error.invalid-model';
const symbol = Symbol.for(marker);

/** A model folder was found but cannot be used: a file is malformed, or the graph lacks what the skill needs. */
export class InvalidModelError extends AccelError {
  private readonly [symbol] = true;
  /** The model id or folder that was asked for. */
  readonly model: string;
  /** The file at fault. */
  readonly file: string;
  /** What is wrong with it. */
  readonly reason: string;

  constructor({ model, file, reason, message, cause }: { model: string; file: string; reason: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_INVALID_MODEL', message: message ?? (`model ${model} is unusable: ${file}: ${reason}`), cause });
    this.name = 'InvalidModelError';
    this.model = model;
    this.file = file;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is InvalidModelError {
    return AccelError.hasMarker(error, marker);
  }
}
