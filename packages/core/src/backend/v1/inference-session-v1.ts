import type { TensorLike } from './tensor-like.js';

/** Declared type and shape of one session input or output, as read from the model file. */
export interface SessionValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  /** Element type, e.g. `float32`, when the value is a tensor. */
  readonly type?: string;
  /** Dimensions: a number when fixed, a string when symbolic (e.g. `batch_size`). */
  readonly shape?: ReadonlyArray<number | string>;
}

/**
 * A loaded model file, shaped like onnxruntime's `InferenceSession`.
 *
 * This is the shape transformers.js model classes call (`inputNames`, `outputNames`,
 * `inputMetadata`, `run`), so a backend's sessions can be handed to them directly.
 * `run` must be safe to call again while a previous call is still pending.
 */
export interface InferenceSessionV1 {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly SessionValueMetadata[];
  readonly outputMetadata: readonly SessionValueMetadata[];
  run(feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
  release(): Promise<void>;
  /** Threads the runtime runs this session with, when the backend can tell (it goes into the provenance). */
  readonly threads?: number;
}
