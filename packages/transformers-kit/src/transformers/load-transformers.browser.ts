import { UnsupportedError } from '@accel/core';
import type { LoadedTransformers, TransformersModule, TransformersTensorClass } from './load-transformers.js';

export type { LoadedTransformers, TransformersModule, TransformersTensorClass };

/**
 * The browser build of `load-transformers.js` (bundlers that follow the package's `browser` field
 * use it): transformers.js's web build, imported as the bundler resolves it for the browser. accel's
 * backends make every model session; transformers.js is used for tokenizers, image processors,
 * tensors and generation. Model files are never fetched by transformers.js itself: tokenizers are built from the
 * JSON the load context reads (`loadTokenizer`), so local and remote model lookups are turned off.
 */

const slot = Symbol.for('@accel/core/transformers');
interface Slot {
  pending?: Promise<LoadedTransformers>;
  loaded?: LoadedTransformers;
}
const state = ((globalThis as Record<symbol, unknown>)[slot] ??= {}) as Slot;

/** Where the web build looks for an onnxruntime supplied from outside (`Symbol.for('onnxruntime')` on `globalThis`). */
const runtimeKey = Symbol.for('onnxruntime');

async function load(): Promise<LoadedTransformers> {
  // The web build checks session outputs against its runtime's Tensor class (`instanceof
  // ONNX.Tensor`), and its own tensors wrap onnxruntime-common's: handed a runtime whose Tensor is
  // that class, outputs re-created as it (withTransformersTensorOutputs) pass its checks. accel's
  // backend makes every model session, so this runtime makes none.
  const runtime = {
    // Replaced below, once the module can say which class its tensors are; nothing checks it before.
    Tensor: class NotYetKnown {} as unknown as TransformersTensorClass,
    InferenceSession: {
      async create(): Promise<never> {
        throw new UnsupportedError({
          feature: "transformers.js's own ONNX operations in a browser",
          message: "the kit's browser build runs no transformers.js ONNX graphs of its own (e.g. the spectrogram CLAP's feature extractor computes); skills that need them run in Node",
        });
      },
    },
  };
  const slots = globalThis as Record<symbol, unknown>;
  const previous = Object.getOwnPropertyDescriptor(slots, runtimeKey);
  slots[runtimeKey] = runtime;
  let module: TransformersModule & {
    env: { allowLocalModels: boolean; allowRemoteModels: boolean; useBrowserCache: boolean };
    Tensor: new (type: string, data: Float32Array, dims: number[]) => { ort_tensor: object };
  };
  try {
    module = (await import('@huggingface/transformers')) as unknown as typeof module;
  } finally {
    // The web build read it while it was evaluated; nothing else in the thread should see it.
    if (previous === undefined) delete slots[runtimeKey];
    else Object.defineProperty(slots, runtimeKey, previous);
  }
  runtime.Tensor = new module.Tensor('float32', new Float32Array(0), [0]).ort_tensor.constructor as TransformersTensorClass;
  module.env.allowLocalModels = false;
  module.env.allowRemoteModels = false;
  module.env.useBrowserCache = false;
  return { module, build: 'browser', Tensor: runtime.Tensor };
}

export function loadTransformersBuild(): Promise<LoadedTransformers> {
  state.pending ??= load().then(
    (loaded) => (state.loaded = loaded),
    (error: unknown) => {
      state.pending = undefined;
      throw error;
    },
  );
  return state.pending;
}

export async function loadTransformers(): Promise<TransformersModule> {
  return (await loadTransformersBuild()).module;
}

export function loadedTransformersTensorClass(): TransformersTensorClass | undefined {
  return state.loaded?.Tensor;
}
