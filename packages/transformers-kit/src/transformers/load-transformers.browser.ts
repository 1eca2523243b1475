import type { LoadedTransformers, TransformersModule, TransformersTensorClass } from './load-transformers.js';

export type { LoadedTransformers, TransformersModule, TransformersTensorClass };

/**
 * The browser build of `load-transformers.js` (bundlers that follow the package's `browser` field
 * use it): transformers.js's web build, imported as the bundler resolves it for the browser. accel's
 * backends make every model session; transformers.js is used for tokenizers, image processors and
 * tensors. Model files are never fetched by transformers.js itself: tokenizers are built from the
 * JSON the load context reads (`loadTokenizer`), so local and remote model lookups are turned off.
 */

const slot = Symbol.for('@accel/core/transformers');
interface Slot {
  pending?: Promise<LoadedTransformers>;
  loaded?: LoadedTransformers;
}
const state = ((globalThis as Record<symbol, unknown>)[slot] ??= {}) as Slot;

async function load(): Promise<LoadedTransformers> {
  const module = (await import('@huggingface/transformers')) as unknown as TransformersModule & {
    env: { allowLocalModels: boolean; allowRemoteModels: boolean; useBrowserCache: boolean };
    Tensor: new (type: string, data: Float32Array, dims: number[]) => { ort_tensor: object };
  };
  module.env.allowLocalModels = false;
  module.env.allowRemoteModels = false;
  module.env.useBrowserCache = false;
  const Tensor = new module.Tensor('float32', new Float32Array(0), [0]).ort_tensor.constructor as TransformersTensorClass;
  return { module, build: 'browser', Tensor };
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
