import { memoizeAsync } from '../backend/runtime/memoize-async.js';
import type { TensorLike } from '../backend/v1/tensor-like.js';

type TensorClass = new (type: string, data: unknown, dims: readonly number[]) => TensorLike;

/**
 * The onnxruntime `Tensor` class transformers.js checks session outputs against with `instanceof`:
 * onnxruntime-node's (CommonJS) class, as resolved from transformers.js's own folder — not the ESM
 * build of onnxruntime-common, which is a different class. Undefined when it cannot load here
 * (e.g. no onnxruntime-node binding), in which case sessions are handed over unchanged.
 */
export const transformersTensorClass = memoizeAsync(async (): Promise<TensorClass | undefined> => {
  try {
    const { createRequire } = await import('node:module');
    const transformersEntry = createRequire(import.meta.url).resolve('@huggingface/transformers');
    const runtime = createRequire(transformersEntry)('onnxruntime-node') as { Tensor: TensorClass };
    return runtime.Tensor;
  } catch {
    return undefined;
  }
});
