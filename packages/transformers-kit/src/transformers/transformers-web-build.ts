import { adaptRuntimeSession, type InferenceSessionV1, type RuntimeSession, type RuntimeTensorConstructor } from '@accel/core';
import type { TransformersModule, TransformersTensorClass } from './load-transformers.js';
import { withTransformersTensors } from './transformers-tensors.js';

/** The parts of onnxruntime-web that transformers.js's own tensor operations use. */
interface OperationRuntime {
  readonly Tensor: RuntimeTensorConstructor<unknown>;
  readonly InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<RuntimeSession<unknown>> };
  readonly env: { wasm: { numThreads?: number } };
}

/** Where the web build looks for an onnxruntime supplied from outside (`Symbol.for('onnxruntime')` on `globalThis`). */
const runtimeKey = Symbol.for('onnxruntime');

function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * Loads transformers.js's web build (`dist/transformers.web.js`, next to the Node entry `entry`;
 * the package's exports map sends Node to the Node build, so it is imported by file URL) for a
 * Node thread where onnxruntime-node cannot be required. In Node the web build expects its
 * runtime from outside (`globalThis[Symbol.for('onnxruntime')]`) and reads no files itself, so:
 *
 * - the runtime it is handed names the tensor class its own tensors are made of (onnxruntime-common,
 *   as it imports it), so that class is the one session outputs are re-created as; accel's backends
 *   make every model session, and transformers.js makes only the small graphs of its tensor
 *   operations (e.g. the matrix product of `spectrogram`, which CLAP's feature extractor uses):
 *   those run on onnxruntime-web, its own dependency, with one thread;
 * - `env.fetch` reads local paths from the file system, so `from_pretrained(folder)` of
 *   tokenizers and processors reads the model folder as the Node build does.
 *
 * Its image functions that need sharp (RawImage resize, pad, read) do not work in Node; accel's
 * image preprocessing uses sharp itself (`createPixelValuesReader`).
 */
export async function loadTransformersWebBuild(entry: string): Promise<{ module: TransformersModule; Tensor: TransformersTensorClass }> {
  const [{ createRequire }, { dirname, join }, { fileURLToPath, pathToFileURL }, { readFile }] = await Promise.all([
    import('node:module'),
    import('node:path'),
    import('node:url'),
    import('node:fs/promises'),
  ]);
  const requireFromTransformers = createRequire(entry);
  let operationRuntime: OperationRuntime | undefined;
  const runtime = {
    // Replaced below, once the module can say which class its tensors are; nothing checks it before.
    Tensor: class NotYetKnown {} as unknown as TransformersTensorClass,
    InferenceSession: {
      async create(model: Uint8Array, options: Record<string, unknown> = {}): Promise<InferenceSessionV1> {
        if (operationRuntime === undefined) {
          operationRuntime = requireFromTransformers('onnxruntime-web') as OperationRuntime;
          operationRuntime.env.wasm.numThreads = 1;
        }
        const session = await operationRuntime.InferenceSession.create(model, { ...options, executionProviders: ['wasm'] });
        return withTransformersTensors(adaptRuntimeSession(session, operationRuntime.Tensor), () => runtime.Tensor);
      },
    },
  };

  const slots = globalThis as Record<symbol, unknown>;
  const previous = Object.getOwnPropertyDescriptor(slots, runtimeKey);
  slots[runtimeKey] = runtime;
  let module: TransformersModule;
  try {
    module = (await import(pathToFileURL(join(dirname(entry), 'transformers.web.js')).href)) as TransformersModule;
  } finally {
    // The web build read it while it was evaluated; nothing else in the thread should see it.
    if (previous === undefined) delete slots[runtimeKey];
    else Object.defineProperty(slots, runtimeKey, previous);
  }
  runtime.Tensor = (new module.Tensor('float32', new Float32Array(0), [0]) as unknown as { ort_tensor: object }).ort_tensor.constructor as TransformersTensorClass;

  module.env.fetch = async (resource: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const address = resource instanceof Request ? resource.url : String(resource);
    if (/^(https?|blob|data):/i.test(address)) return fetch(resource, init);
    const path = address.startsWith('file:') ? fileURLToPath(address) : address;
    try {
      const bytes = await readFile(path);
      return new Response(bytes, { status: 200, headers: { 'content-length': String(bytes.byteLength) } });
    } catch (error) {
      if (isMissingFile(error)) return new Response(null, { status: 404, statusText: 'Not Found' });
      throw error;
    }
  };
  return { module, Tensor: runtime.Tensor };
}
