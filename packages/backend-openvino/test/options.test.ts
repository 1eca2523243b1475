import { BackendUnavailableError, InvalidInputError } from '@accel/core';
import { describe, expect, it } from 'vitest';
import { createOpenVinoBackend } from '../src/index.js';
import type { OpenVinoBackendOptions } from '../src/openvino-backend-options.js';
import { standInBackend, standInModelFile } from './stand-in-backend.js';

describe('openvino backend options', () => {
  it('names itself and its package', () => {
    const backend = createOpenVinoBackend();
    expect(backend).toMatchObject({ specificationVersion: 'v1', name: 'openvino', packageName: '@accel/backend-openvino' });
  });

  it('accepts the documented options', () => {
    expect(() => createOpenVinoBackend({ inferencePrecision: 'bf16', performanceHint: 'THROUGHPUT', cacheDirectory: '/var/cache/openvino' })).not.toThrow();
  });

  it.each([
    [{ inferencePrecision: 'fp16' }, /inferencePrecision must be one of f32, f16, bf16, got "fp16"/],
    [{ performanceHint: 'CUMULATIVE' }, /performanceHint must be one of LATENCY, THROUGHPUT, got "CUMULATIVE"/],
    [{ cacheDirectory: ' ' }, /cacheDirectory must be a non-empty path/],
  ])('refuses %j with InvalidInputError', (options, message) => {
    expect(() => createOpenVinoBackend(options as unknown as OpenVinoBackendOptions)).toThrow(InvalidInputError);
    expect(() => createOpenVinoBackend(options as unknown as OpenVinoBackendOptions)).toThrow(message);
  });
});

describe('device labels, checked against the devices a stand-in of openvino-node lists (not OpenVINO)', () => {
  it.each(['openvino:TPU', 'openvino:gpu', 'cuda:0'])('refuses %s with BackendUnavailableError naming the devices found', async (device) => {
    const { backend } = standInBackend({}, { devices: { CPU: { name: 'Stand-in CPU' }, GPU: { name: 'Stand-in GPU' } } });
    const error = await backend.doCreateSession({ file: await standInModelFile('small-integers'), device, dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).reason).toBe(`no device ${device} (found openvino:GPU, openvino:CPU)`);
  });
});
