import { InvalidInputError } from '@accel/core';
import type { OpenVinoBackendOptions } from './openvino-backend-options.js';

const precisions = ['f32', 'f16', 'bf16'];
const performanceHints = ['LATENCY', 'THROUGHPUT'];

export function validateOptions(options: OpenVinoBackendOptions): void {
  const { inferencePrecision, performanceHint, cacheDirectory } = options;
  if (inferencePrecision !== undefined && !precisions.includes(inferencePrecision)) {
    throw new InvalidInputError({ reason: `inferencePrecision must be one of ${precisions.join(', ')}, got ${JSON.stringify(inferencePrecision)}` });
  }
  if (performanceHint !== undefined && !performanceHints.includes(performanceHint)) {
    throw new InvalidInputError({ reason: `performanceHint must be one of ${performanceHints.join(', ')}, got ${JSON.stringify(performanceHint)}` });
  }
  if (cacheDirectory !== undefined && (typeof cacheDirectory !== 'string' || cacheDirectory.trim() === '')) {
    throw new InvalidInputError({ reason: `cacheDirectory must be a non-empty path, got ${JSON.stringify(cacheDirectory)}` });
  }
}

