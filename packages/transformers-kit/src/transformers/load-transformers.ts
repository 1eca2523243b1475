import { disableOnnxRuntimeTelemetry, type TensorLike } from '@accel/core';

import type { TransformersModule } from './transformers-types.js';

/** The transformers.js module, whichever build of it was loaded (typed where `TransformersTypes` is declared). */
export type { TransformersModule };

/** An onnxruntime `Tensor` constructor, as transformers.js checks session outputs against it. */
export type TransformersTensorClass = new (type: string, data: unknown, dims: readonly number[]) => TensorLike;

/** The transformers.js build this thread uses, and what it needs from sessions. */
export interface LoadedTransformers {
  readonly module: TransformersModule;
  /**
   * `node`: `dist/transformers.node.mjs`, which requires onnxruntime-node when it is imported.
   * `web`: `dist/transformers.web.js`, used where onnxruntime-node cannot be required.
   * `browser`: the web build in a browser, where its image functions work (canvas), loaded by the
   * kit's browser build (`load-transformers.browser.js`).
   */
  readonly build: 'node' | 'web' | 'browser';
  /** The class transformers.js checks session outputs against with `instanceof`. */
  readonly Tensor: TransformersTensorClass;
  /** Why the Node build was not used (the `web` build only). */
  readonly reason?: string;
}

/**
 * One transformers.js build per thread, shared by every copy of this kit loaded in it (a second
 * copy must not load a second build, whose classes would not recognise the first's). The key is the
 * one `@accel/core` used while these helpers lived there, so a thread that also loads such an older
 * core still shares one build with it.
 */
const slot = Symbol.for('@accel/core/transformers');
interface Slot {
  pending?: Promise<LoadedTransformers>;
  loaded?: LoadedTransformers;
}
const state = ((globalThis as Record<symbol, unknown>)[slot] ??= {}) as Slot;

async function load(): Promise<LoadedTransformers> {
  const { createRequire } = await import('node:module');
  // Resolved from the kit's folder, as the `import` below resolves it; throws when transformers.js is not installed.
  const entry = createRequire(import.meta.url).resolve('@huggingface/transformers');
  let runtime: { Tensor: TransformersTensorClass };
  // The Node build runs small graphs of its own on onnxruntime-node (e.g. spectrogram matmuls),
  // whatever backend the endpoint uses.
  disableOnnxRuntimeTelemetry();
  try {
    // What the Node build does when it is imported (its `requireFromHere("onnxruntime-node")`).
    runtime = createRequire(entry)('onnxruntime-node') as { Tensor: TransformersTensorClass };
  } catch (error) {
    const { loadTransformersWebBuild } = await import('./transformers-web-build.js');
    const reason = `onnxruntime-node cannot be required here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    return { ...(await loadTransformersWebBuild(entry)), build: 'web', reason };
  }
  // The Node build's sessions are onnxruntime-node's: its CommonJS Tensor class, as resolved from
  // transformers.js's own folder (not the ESM build of onnxruntime-common, a different class).
  return { module: await import('@huggingface/transformers'), build: 'node', Tensor: runtime.Tensor };
}

/**
 * Loads transformers.js once per thread (a dependency of the kit, imported on first use):
 * its Node build where onnxruntime-node can be required, as on the cpu and cuda backends' normal
 * path; otherwise its web build, which needs no native binding, so every skill runs on the wasm
 * backend where onnxruntime-node is missing or cannot load. Skills take every transformers.js
 * class from here, never by importing the package themselves, so all of an endpoint's classes come
 * from one build.
 */
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

/** The transformers.js module of this thread (see `loadTransformersBuild`). */
export async function loadTransformers(): Promise<TransformersModule> {
  return (await loadTransformersBuild()).module;
}

/**
 * The tensor class of the transformers.js build loaded in this thread, or undefined while none
 * is: session outputs need re-creating as it only once transformers.js will see them.
 */
export function loadedTransformersTensorClass(): TransformersTensorClass | undefined {
  return state.loaded?.Tensor;
}
