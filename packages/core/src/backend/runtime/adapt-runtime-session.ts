import type { InferenceSessionV1, SessionValueMetadata } from '../v1/inference-session-v1.js';
import type { TensorLike } from '../v1/tensor-like.js';

/** The parts of an onnxruntime `InferenceSession` (node, web or common) that accel uses. */
export interface RuntimeSession<RuntimeTensor> {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly unknown[];
  readonly outputMetadata: readonly unknown[];
  run(feeds: Record<string, RuntimeTensor>): Promise<Record<string, RuntimeTensor>>;
  release(): Promise<void>;
}

/** An onnxruntime `Tensor` constructor (from onnxruntime-node, -web or -common). */
export type RuntimeTensorConstructor<RuntimeTensor> = new (type: never, data: never, dims: never) => RuntimeTensor;

/**
 * Gives an onnxruntime session accel's session shape: plain `TensorLike` feeds become the
 * runtime's tensors (without copying data); outputs are the runtime's own tensors.
 */
export function adaptRuntimeSession<RuntimeTensor>(
  session: RuntimeSession<RuntimeTensor>,
  TensorClass: RuntimeTensorConstructor<RuntimeTensor>,
): InferenceSessionV1 {
  const toRuntimeTensor = (tensor: TensorLike): RuntimeTensor =>
    tensor instanceof TensorClass ? tensor : new TensorClass(tensor.type as never, tensor.data as never, tensor.dims as never);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata as readonly SessionValueMetadata[],
    outputMetadata: session.outputMetadata as readonly SessionValueMetadata[],
    async run(feeds) {
      const runtimeFeeds: Record<string, RuntimeTensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) runtimeFeeds[name] = toRuntimeTensor(tensor);
      return (await session.run(runtimeFeeds)) as Record<string, TensorLike>;
    },
    release: () => session.release(),
  };
}
