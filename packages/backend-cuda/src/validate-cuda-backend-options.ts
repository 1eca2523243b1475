import { InvalidInputError } from '@accel/core';
import type { CudaBackendOptions } from './cuda-backend-options.js';

const knownOptions = ['threads', 'interOpThreads', 'allowSpinning', 'graphOptimizationLevel'];
const optimizationLevels = ['disabled', 'basic', 'extended', 'all'];
// Names a user may reach for; onnxruntime-node's binding passes only `deviceId` to the CUDA provider.
const unreachableProviderOptions = ['memoryLimitBytes', 'gpuMemoryLimit', 'gpu_mem_limit', 'arenaExtendStrategy', 'arena_extend_strategy', 'cudnnConvAlgoSearch', 'cudnn_conv_algo_search'];

export function validateCudaBackendOptions(options: CudaBackendOptions): void {
  if (options === null || typeof options !== 'object') throw new InvalidInputError({ reason: 'CUDA backend options must be an object' });
  for (const key of Object.keys(options)) {
    if (unreachableProviderOptions.includes(key)) {
      throw new InvalidInputError({
        reason: `${key} is not supported: onnxruntime-node 1.30 passes only the device id to the CUDA provider, so its memory and algorithm options cannot be set from Node.js`,
      });
    }
    if (!knownOptions.includes(key)) throw new InvalidInputError({ reason: `unknown CUDA backend option ${key} (known: ${knownOptions.join(', ')})` });
  }
  for (const key of ['threads', 'interOpThreads'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new InvalidInputError({ reason: `${key} must be a positive integer, got ${String(value)}` });
    }
  }
  if (options.allowSpinning !== undefined && typeof options.allowSpinning !== 'boolean') {
    throw new InvalidInputError({ reason: `allowSpinning must be a boolean, got ${String(options.allowSpinning)}` });
  }
  if (options.graphOptimizationLevel !== undefined && !optimizationLevels.includes(options.graphOptimizationLevel)) {
    throw new InvalidInputError({ reason: `graphOptimizationLevel must be one of ${optimizationLevels.join(', ')}, got ${String(options.graphOptimizationLevel)}` });
  }
}
