import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { disableOnnxRuntimeTelemetry, memoizeAsync } from '@accel/core';
import type { CudaRuntime } from './cuda-runtime.js';
import { nodeSystemAccess } from './node-system-access.js';
import type { SystemAccess } from './system-access.js';

/** What the CUDA backend depends on outside its own code. Internal; tests pass simulated ones. */
export interface CudaEnvironment {
  readonly system: SystemAccess;
  loadRuntime(): Promise<CudaRuntime>;
  /** Folder of the onnxruntime-node package that `loadRuntime` loads; undefined when it cannot be resolved. */
  runtimePackageFolder(): string | undefined;
}

const loadOnnxRuntime = memoizeAsync(() => {
  disableOnnxRuntimeTelemetry();
  return import('onnxruntime-node');
});

function resolveRuntimePackageFolder(): string | undefined {
  try {
    // The same resolution `import('onnxruntime-node')` makes from this package.
    return dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  } catch {
    return undefined;
  }
}

/** The real machine and the real onnxruntime-node. */
export const nodeCudaEnvironment: CudaEnvironment = {
  system: nodeSystemAccess,
  loadRuntime: loadOnnxRuntime,
  runtimePackageFolder: resolveRuntimePackageFolder,
};
