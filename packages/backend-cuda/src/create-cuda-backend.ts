import type { BackendV1 } from '@accel/core';
import type { CudaBackendOptions } from './cuda-backend-options.js';
import { createCudaBackendWith } from './create-cuda-backend-with.js';
import { nodeCudaEnvironment } from './cuda-environment.js';

/**
 * The CUDA backend: onnxruntime-node's CUDA execution provider, one device label per visible
 * NVIDIA GPU (`cuda:0`, `cuda:1`, …), each session pinned to its GPU. Its probe names exactly
 * what this machine lacks (driver, provider files, CUDA 12 or cuDNN 9 libraries) and confirms
 * the rest by running a tiny model on every GPU.
 */
export function createCudaBackend(options: CudaBackendOptions = {}): BackendV1 {
  const source = { module: '@accel/backend-cuda', exportName: 'createCudaBackend', options: { ...options } };
  return { ...createCudaBackendWith(options, nodeCudaEnvironment), source };
}
