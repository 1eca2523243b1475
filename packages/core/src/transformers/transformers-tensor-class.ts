import { memoizeAsync } from '../backend/runtime/memoize-async.js';
import type { TensorLike } from '../backend/v1/tensor-like.js';

type TensorClass = new (type: string, data: unknown, dims: readonly number[]) => TensorLike;

/**
 * The onnxruntime `Tensor` class transformers.js checks with `instanceof`, read off a tensor it
 * makes itself; undefined when transformers.js cannot load here (e.g. no onnxruntime-node binding).
 */
export const transformersTensorClass = memoizeAsync(async (): Promise<TensorClass | undefined> => {
  try {
    const { Tensor } = await import('@huggingface/transformers');
    const probe = new Tensor('float32', new Float32Array(1), [1]) as unknown as { ort_tensor?: { constructor: TensorClass } };
    return probe.ort_tensor?.constructor;
  } catch {
    return undefined;
  }
});
