import { AccelError } from './accel-error.js';

const marker = 'accel.error.model-not-found';
const symbol = Symbol.for(marker);

/** A model (or one of its files) could not be found locally and could not be downloaded. */
export class ModelNotFoundError extends AccelError {
  private readonly [symbol] = true;
  /** The model id or folder that was asked for. */
  readonly model: string;
  /** Every place that was looked in, in order. */
  readonly searched: string[];
  /** How to supply the model. */
  readonly hint: string;

  constructor({ model, searched, hint, message, cause }: { model: string; searched: string[]; hint: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_MODEL_NOT_FOUND', message: message ?? (`model ${model} not found (looked in ${searched.join(', ')}). ${hint}`), cause });
    this.name = 'ModelNotFoundError';
    this.model = model;
    this.searched = searched;
    this.hint = hint;
  }

  static override isInstance(error: unknown): error is ModelNotFoundError {
    return AccelError.hasMarker(error, marker);
  }
}
