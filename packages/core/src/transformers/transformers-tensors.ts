import type { InferenceSessionV1 } from '../backend/v1/inference-session-v1.js';
import type { TensorLike } from '../backend/v1/tensor-like.js';
import type { TransformersTensorClass } from './load-transformers.js';

/**
 * Re-creates a session's outputs, without copying their data, as the tensor class transformers.js
 * checks with `instanceof` — `tensorClass()` at the time of the run, or none (outputs unchanged)
 * while it is undefined. Sessions of another runtime (onnxruntime-web, OpenVINO, or the Node
 * runtime's for the web build) make tensors of their own class.
 */
export function withTransformersTensors(session: InferenceSessionV1, tensorClass: () => TransformersTensorClass | undefined): InferenceSessionV1 {
  return {
    ...session,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
    async run(feeds) {
      const outputs = await session.run(feeds);
      const TensorClass = tensorClass();
      if (TensorClass === undefined) return outputs;
      const recreated: Record<string, TensorLike> = {};
      for (const [name, tensor] of Object.entries(outputs)) {
        recreated[name] = (tensor as object) instanceof TensorClass ? tensor : new TensorClass(tensor.type, tensor.data, tensor.dims);
      }
      return recreated;
    },
    release: () => session.release(),
  };
}
