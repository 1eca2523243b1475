import type { InferenceSessionV1, SessionValueMetadata, TensorLike } from '@accel/core';
import type { InferenceSession, Tensor } from 'onnxruntime-node';

type TensorConstructor = typeof Tensor;

/** Wraps an onnxruntime-node session: plain `TensorLike` feeds become runtime tensors; outputs stay runtime tensors. */
export function wrapSession(session: InferenceSession, TensorClass: TensorConstructor): InferenceSessionV1 {
  const toRuntimeTensor = (tensor: TensorLike): Tensor =>
    tensor instanceof TensorClass
      ? tensor
      : new TensorClass(tensor.type as Tensor.Type, tensor.data as Tensor.DataType, tensor.dims as number[]);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata as readonly SessionValueMetadata[],
    outputMetadata: session.outputMetadata as readonly SessionValueMetadata[],
    async run(feeds) {
      const runtimeFeeds: Record<string, Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) runtimeFeeds[name] = toRuntimeTensor(tensor);
      return session.run(runtimeFeeds);
    },
    release: () => session.release(),
  };
}
