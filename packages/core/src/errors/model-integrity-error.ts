import { AccelError } from './accel-error.js';

const marker = 'accel.error.model-integrity';
const symbol = Symbol.for(marker);

/**
 * A model file's bytes are not the bytes its source vouches for: a SHA-256 or size that differs
 * from the hub's listing or the folder's manifest, or an IPFS block that does not hash to its CID.
 * The file is named; a download that failed the check has been deleted.
 */
export class ModelIntegrityError extends AccelError {
  private readonly [symbol] = true;
  /** The model id or folder. */
  readonly model: string;
  /** The file at fault, relative to the model folder. */
  readonly file: string;
  /** What was expected (`sha256:…`, `size 1234`, `cid bafy…`). */
  readonly expected: string;
  /** What was found. */
  readonly actual: string;

  constructor({ model, file, expected, actual, message, cause }: { model: string; file: string; expected: string; actual: string; message?: string; cause?: unknown }) {
    super({ code: 'ACCEL_MODEL_INTEGRITY', message: message ?? `model ${model}: ${file} failed verification: expected ${expected}, got ${actual}`, cause });
    this.name = 'ModelIntegrityError';
    this.model = model;
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is ModelIntegrityError {
    return AccelError.hasMarker(error, marker);
  }
}
