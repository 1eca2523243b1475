import type { InferenceSessionV1, SkillLoadContext, TensorLike } from '@accel/core';
import { loadedTransformersTensorClass, type TransformersTensorClass } from './load-transformers.js';

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

const adapted = new WeakSet<SkillLoadContext>();

/**
 * The load context `context`, except that the sessions it creates return their outputs as the
 * tensor class of the transformers.js build loaded in this thread (`loadTransformersBuild`),
 * re-created without copying, checked at each run: before any build is loaded they are the
 * backend's own. A skill wraps its context with this before it hands sessions to a transformers.js
 * model class (`T5ForConditionalGeneration`, `WhisperForConditionalGeneration`, …), which checks
 * session outputs with `instanceof`; `defineTextGenerationSkill` and `openLlavaSessions` do it
 * themselves. A skill that only reads `data` and `dims` of outputs does not need it. Wrapping an
 * already wrapped context returns it unchanged.
 */
export function withTransformersTensorOutputs(context: SkillLoadContext): SkillLoadContext {
  if (adapted.has(context)) return context;
  const wrapped: SkillLoadContext = {
    model: context.model,
    backend: context.backend,
    device: context.device,
    dtype: context.dtype,
    contextLength: context.contextLength,
    ...(context.preload === undefined ? {} : { preload: context.preload }),
    createSession: async (sessionName) => withTransformersTensors(await context.createSession(sessionName), loadedTransformersTensorClass),
    recordFile: (relativePath) => context.recordFile(relativePath),
    readJson: <T>(relativePath: string) => context.readJson<T>(relativePath),
  };
  adapted.add(wrapped);
  return wrapped;
}
