import {
  adaptRuntimeSession,
  BackendUnavailableError,
  classifyRuntimeError,
  InvalidInputError,
  InvalidModelError,
  memoizeAsync,
  type BackendProbe,
  type BackendV1,
  type CreateSessionOptions,
  type Dtype,
} from '@accel/core';
import { importOnnxRuntime } from './load-onnxruntime.js';
import { detectPlatformFeatures } from './platform-features.js';
import type { WasmBackendOptions } from './wasm-backend-options.js';

const wasmDtypes: readonly Dtype[] = ['fp32', 'q8', 'int8', 'uint8', 'q4'];
const loadRuntime = memoizeAsync(importOnnxRuntime);

function validateOptions(options: WasmBackendOptions): void {
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new InvalidInputError({ reason: `threads must be a positive integer, got ${options.threads}` });
  }
  if (options.simd !== undefined && typeof options.simd !== 'boolean') throw new InvalidInputError({ reason: 'simd must be a boolean' });
  if (options.wasmPaths !== undefined && typeof options.wasmPaths !== 'string') throw new InvalidInputError({ reason: 'wasmPaths must be a string' });
}

/**
 * The WebAssembly backend: onnxruntime-web's `wasm` execution provider. It loads no native binary
 * and imports nothing Node-specific, so it runs where onnxruntime-node cannot (bundlers,
 * single-file executables, serverless runtimes, musl systems) and, later, in browsers.
 */
export function createWasmBackend(options: WasmBackendOptions = {}): BackendV1 {
  validateOptions(options);
  const features = detectPlatformFeatures();
  const threads = features.threads ? options.threads : 1;
  let probed: Promise<BackendProbe> | undefined;

  const runtime = async () => {
    const ort = await loadRuntime();
    if (threads !== undefined) ort.env.wasm.numThreads = threads;
    if (options.simd === false) ort.env.wasm.simd = false;
    if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
    return ort;
  };

  const probe = async (): Promise<BackendProbe> => {
    const simd = features.simd && options.simd !== false;
    try {
      const ort = await runtime();
      return {
        backend: 'wasm',
        available: true,
        devices: [{ label: 'wasm', name: `WebAssembly${simd ? ' SIMD' : ''}`, ...(features.cores ? { cores: features.cores } : {}) }],
        dtypes: wasmDtypes,
        runtime: `onnxruntime-web ${ort.env.versions.web ?? 'unknown'}`,
        details: {
          threads: threads ?? ort.env.wasm.numThreads ?? 'runtime default',
          simd,
          sharedArrayBuffer: features.threads,
        },
      };
    } catch (error) {
      return {
        backend: 'wasm',
        available: false,
        reason: `onnxruntime-web could not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        fix: 'npm install onnxruntime-web@1.30.0',
        devices: [],
        dtypes: [],
      };
    }
  };

  return {
    specificationVersion: 'v1',
    name: 'wasm',
    packageName: '@accel/backend-wasm',
    // onnxruntime-web starts WebAssembly with env.wasm.numThreads once per JavaScript thread.
    source: { module: '@accel/backend-wasm', exportName: 'createWasmBackend', options: { ...options }, threadsFixedPerThread: true },
    probe: () => (probed ??= probe()),
    async doCreateSession({ file, device }: CreateSessionOptions) {
      if (device !== 'wasm') throw new BackendUnavailableError({ backend: 'wasm', reason: `device ${device} is not a WebAssembly device label (use "wasm")` });
      const ort = await runtime().catch((error: unknown) => {
        throw new BackendUnavailableError({ backend: 'wasm', reason: `onnxruntime-web could not load: ${String(error)}`, cause: error });
      });
      try {
        const session = await ort.InferenceSession.create(file, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
        // onnxruntime-web writes the thread count it started WebAssembly with back to env.wasm.numThreads.
        const threadsRun = ort.env.wasm.numThreads;
        return { ...adaptRuntimeSession(session, ort.Tensor), ...(typeof threadsRun === 'number' && threadsRun > 0 ? { threads: threadsRun } : {}) };
      } catch (error) {
        const fault = classifyRuntimeError(error, 'wasm');
        if (fault) throw fault;
        throw new InvalidModelError({ model: file, file, reason: error instanceof Error ? error.message : String(error), cause: error });
      }
    },
    classifyError: classifyRuntimeError,
  };
}
