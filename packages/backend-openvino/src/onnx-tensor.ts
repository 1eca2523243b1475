import { createRequire } from 'node:module';
import type * as OnnxRuntimeCommon from 'onnxruntime-common';

export type OnnxTensorClass = typeof OnnxRuntimeCommon.Tensor;

let tensorClass: OnnxTensorClass | undefined;

/**
 * onnxruntime-common's `Tensor` class from its CommonJS build. onnxruntime-node is CommonJS and
 * re-exports that class, and transformers.js recognises session outputs by `instanceof` it; the
 * ESM build (`import { Tensor } from 'onnxruntime-common'`) is a different class.
 */
export function onnxTensorClass(): OnnxTensorClass {
  tensorClass ??= (createRequire(import.meta.url)('onnxruntime-common') as typeof OnnxRuntimeCommon).Tensor;
  return tensorClass;
}
