import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The part of an onnxruntime tensor the bench uses. */
export interface RuntimeTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}

export interface RuntimeValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly shape?: readonly (number | string)[];
}

/** The part of an onnxruntime `InferenceSession` the bench uses; onnxruntime-node and -web share it. */
export interface RuntimeSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly RuntimeValueMetadata[];
  run(feeds: Record<string, RuntimeTensor>): Promise<Record<string, RuntimeTensor>>;
  release(): Promise<void>;
}

export type RuntimeTensorData = BigInt64Array | Float32Array | Uint8Array;

/** An onnxruntime package, called directly: the peer that shows the runtime's own limit. */
export interface OnnxRuntime {
  /** E.g. `onnxruntime-node 1.30.0`. */
  readonly name: string;
  /** How sessions are created, for the report. */
  readonly sessionNote: string;
  createSession(file: string): Promise<RuntimeSession>;
  tensor(type: 'int64' | 'float32' | 'bool', data: RuntimeTensorData, dims: readonly number[]): RuntimeTensor;
}

interface RuntimeModule {
  readonly env: { readonly versions: Readonly<Record<string, string | undefined>>; readonly wasm?: { numThreads?: number } };
  readonly InferenceSession: { create(file: string, options: Record<string, unknown>): Promise<RuntimeSession> };
  readonly Tensor: new (type: string, data: RuntimeTensorData, dims: readonly number[]) => RuntimeTensor;
}

function wrap(module: RuntimeModule, name: string, sessionOptions: Record<string, unknown>, sessionNote: string): OnnxRuntime {
  return {
    name,
    sessionNote,
    createSession: (file) => module.InferenceSession.create(file, sessionOptions),
    tensor: (type, data, dims) => new module.Tensor(type, data, [...dims]),
  };
}

/**
 * Imports a runtime package as the backend package sees it (its own copy when it has one), so
 * the direct peer runs the very runtime build accel's backend runs.
 */
async function importAsSeenBy(backendPackage: string, runtimePackage: string): Promise<RuntimeModule> {
  const backendRequire = createRequire(createRequire(import.meta.url).resolve(`${backendPackage}/package.json`));
  const folders = (backendRequire.resolve.paths(runtimePackage) ?? []).map((folder) => join(folder, runtimePackage));
  const manifestPath = folders.map((folder) => join(folder, 'package.json')).find((candidate) => existsSync(candidate));
  if (manifestPath === undefined) throw new Error(`${runtimePackage} is not installed where ${backendPackage} can see it`);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { exports?: { '.'?: { node?: { import?: string } } } };
  const entry = manifest.exports?.['.']?.node?.import;
  const target = entry === undefined ? backendRequire.resolve(runtimePackage) : join(dirname(manifestPath), entry);
  return (await import(pathToFileURL(target).href)) as RuntimeModule;
}

async function loadNodeRuntime(): Promise<OnnxRuntime> {
  const module = await importAsSeenBy('@accel/backend-cpu', 'onnxruntime-node');
  const threads = availableParallelism();
  const { cpuSessionOptions } = await import('@accel/backend-cpu');
  return wrap(
    module,
    `onnxruntime-node ${module.env.versions.node ?? module.env.versions.common ?? ''}`.trim(),
    cpuSessionOptions({}, threads),
    `cpu provider with the cpu backend's default session options (cpuSessionOptions): ${threads} intra-op threads, spinning during runs only`,
  );
}

async function loadWebRuntime(): Promise<OnnxRuntime> {
  const module = await importAsSeenBy('@accel/backend-wasm', 'onnxruntime-web');
  // accel gives a lone endpoint every core, and its worker passes that to the wasm backend as
  // `threads`; the direct peer gets the same (read when the first session initialises wasm).
  const threads = availableParallelism();
  if (module.env.wasm) module.env.wasm.numThreads = threads;
  return wrap(
    module,
    `onnxruntime-web ${module.env.versions.web ?? module.env.versions.common ?? ''}`.trim(),
    { executionProviders: ['wasm'], graphOptimizationLevel: 'all' },
    `wasm provider, ${threads} threads (as accel's endpoint gets)`,
  );
}

/** The runtime a backend runs on, called directly; undefined when the bench has no direct peer for it. */
export function onnxRuntimeFor(backend: string): (() => Promise<OnnxRuntime>) | undefined {
  if (backend === 'cpu') return loadNodeRuntime;
  if (backend === 'wasm') return loadWebRuntime;
  return undefined;
}
