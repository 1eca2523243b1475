import { beforeAll, describe, expect, it } from 'vitest';
import { Accel, DeviceError, InferenceError, OutOfMemoryError } from '../src/index.js';
import { arithmeticBackend, doublingSkill } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';

/**
 * Honest fault injection: fixture backends that fail at load or throw out-of-memory on a
 * chosen run. They test the registry's fallback logic, not any real hardware.
 */
let model: string;
beforeAll(async () => {
  model = await makeModelFolder();
});

const cpu = () => arithmeticBackend({ name: 'cpu', devices: [{ label: 'cpu', name: 'test CPU', cores: 2 }] });
const gpus = [
  { label: 'cuda:0', name: 'Test GPU 0', memoryBytes: 80e9, freeMemoryBytes: 79e9 },
  { label: 'cuda:1', name: 'Test GPU 1', memoryBytes: 80e9, freeMemoryBytes: 40e9 },
];

describe('fallback chain (fault injection)', () => {
  it('records cuda:0 → cpu when the CUDA backend is unavailable', async () => {
    const cuda = arithmeticBackend({ name: 'cuda', available: false, reason: 'no NVIDIA driver found' });
    const accel = new Accel({ backends: [cuda, cpu()] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:0', fallback: ['cpu'] });
    const { output, provenance } = await accel.infer(doublingSkill, 2);
    expect(output).toEqual([4]);
    expect(provenance).toMatchObject({ backend: 'cpu', device: 'cpu' });
    expect(provenance.fallbacks).toEqual([
      { from: 'cuda:0', to: 'cpu', code: 'ACCEL_BACKEND_UNAVAILABLE', reason: expect.stringContaining('no NVIDIA driver found') },
    ]);
    expect(accel.status()[0]).toMatchObject({ device: 'cpu', chain: ['cuda:0', 'cpu'], state: 'ready' });
  });

  it('records openvino:GPU → cpu when loading on OpenVINO fails', async () => {
    const openvino = arithmeticBackend({
      name: 'openvino',
      devices: [{ label: 'openvino:GPU', name: 'Test iGPU' }],
      createError: new Error('compileModel: GPU plugin failed to compile the model'),
    });
    const accel = new Accel({ backends: [openvino, cpu()] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'openvino:GPU', fallback: ['cpu'] });
    const { provenance } = await accel.infer(doublingSkill, 1);
    expect(provenance.backend).toBe('cpu');
    expect(provenance.fallbacks).toEqual([
      { from: 'openvino:GPU', to: 'cpu', code: 'ACCEL_UNKNOWN', reason: 'compileModel: GPU plugin failed to compile the model' },
    ]);
  });

  it('moves to the next backend when run 3 runs out of memory, losing no request', async () => {
    const cuda = arithmeticBackend({
      name: 'cuda',
      devices: [gpus[0]!],
      failRun: (run) => (run === 3 ? new Error('CUDA failure 2: out of memory ; GPU=0') : undefined),
    });
    cuda.classifyError = (error, device) => (/out of memory/.test(String(error)) ? new OutOfMemoryError({ device, cause: error }) : undefined);
    const fallbackCpu = cpu();
    const accel = new Accel({ backends: [cuda, fallbackCpu] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:0', fallback: ['cpu'], maxBatchSize: 1 });
    await accel.init();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((value) => accel.infer(doublingSkill, value)));
    expect(results.map((result) => result.output)).toEqual([[2], [4], [6], [8], [10], [12]]);
    expect(results.map((result) => result.provenance.device)).toEqual(['cuda:0', 'cuda:0', 'cpu', 'cpu', 'cpu', 'cpu']);
    expect(results[1]?.provenance.fallbacks).toEqual([]);
    expect(results[2]?.provenance.fallbacks).toEqual([
      { from: 'cuda:0', to: 'cpu', code: 'ACCEL_OUT_OF_MEMORY', reason: 'out of memory on cuda:0' },
    ]);
    expect(cuda.batches).toEqual([[1], [2]]);
    expect(fallbackCpu.batches).toEqual([[3], [4], [5], [6]]);
    expect(cuda.released).toBe(1);
  });

  it('fails the batch with the typed fault when no fallback is left', async () => {
    const cuda = arithmeticBackend({ name: 'cuda', devices: [gpus[0]!], failRun: () => new Error('an illegal memory access was encountered') });
    cuda.classifyError = (error, device) => new DeviceError({ device, cause: error });
    const accel = new Accel({ backends: [cuda] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:0' });
    await expect(accel.infer(doublingSkill, 1)).rejects.toSatisfy(DeviceError.isInstance);
  });

  it('does not fall back on a failure that is not recoverable', async () => {
    const cuda = arithmeticBackend({ name: 'cuda', devices: [gpus[0]!], failRun: () => new Error('shape mismatch') });
    const accel = new Accel({ backends: [cuda, cpu()] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:0', fallback: ['cpu'] });
    await expect(accel.infer(doublingSkill, 1)).rejects.toSatisfy(InferenceError.isInstance);
  });
});

describe('auto', () => {
  it('picks the best available backend by probe and records why the better ones were skipped', async () => {
    const cuda = arithmeticBackend({ name: 'cuda', available: false, reason: 'no NVIDIA driver found' });
    const openvino = arithmeticBackend({ name: 'openvino', available: false, reason: 'openvino-node requires Node.js ≥ 21' });
    const accel = new Accel({ backends: [cpu(), openvino, cuda] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'auto' });
    const { provenance } = await accel.infer(doublingSkill, 1);
    expect(provenance.backend).toBe('cpu');
    expect(provenance.fallbacks.map((step) => [step.from, step.to])).toEqual([
      ['cuda', 'openvino'],
      ['openvino', 'cpu'],
    ]);
    expect(accel.status()[0]?.chain).toEqual(['cuda', 'openvino', 'cpu']);
  });

  it('uses CUDA when it is available', async () => {
    const accel = new Accel({ backends: [cpu(), arithmeticBackend({ name: 'cuda', devices: gpus })] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'auto' });
    const { provenance } = await accel.infer(doublingSkill, 1);
    expect(provenance).toMatchObject({ backend: 'cuda', device: 'cuda:0', fallbacks: [] });
  });
});

describe('multi-GPU', () => {
  it('expands cuda:* to one endpoint per GPU, with device memory in status, and removes them together', async () => {
    const cuda = arithmeticBackend({ name: 'cuda', devices: gpus, runDelayMs: 5 });
    const accel = new Accel({ backends: [cuda] });
    const id = accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:*', maxBatchSize: 1 });
    expect(id).toBe('doubling@cuda:*');
    const statuses = await accel.init(id);
    expect(statuses.map((status) => [status.id, status.device, status.deviceInfo?.memoryBytes, status.group])).toEqual([
      ['doubling@cuda:0', 'cuda:0', 80e9, id],
      ['doubling@cuda:1', 'cuda:1', 80e9, id],
    ]);
    const results = await Promise.all([1, 2, 3, 4].map((value) => accel.infer(doublingSkill, value)));
    expect(new Set(results.map((result) => result.provenance.device))).toEqual(new Set(['cuda:0', 'cuda:1']));
    expect(new Set(cuda.devicesUsed)).toEqual(new Set(['cuda:0', 'cuda:1']));
    await accel.removeEndpoint(id);
    expect(accel.status()).toEqual([]);
  });

  it('falls back when cuda:* finds no GPU', async () => {
    const accel = new Accel({ backends: [arithmeticBackend({ name: 'cuda', available: false, reason: 'no NVIDIA driver found' }), cpu()] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:*', fallback: ['cpu'] });
    const { provenance } = await accel.infer(doublingSkill, 1);
    expect(provenance.backend).toBe('cpu');
    expect(provenance.fallbacks[0]).toMatchObject({ from: 'cuda:*', to: 'cpu', code: 'ACCEL_BACKEND_UNAVAILABLE' });
  });

  it('routes a request that arrives before expansion to one of the GPUs', async () => {
    const accel = new Accel({ backends: [arithmeticBackend({ name: 'cuda', devices: gpus })] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:*' });
    const { provenance } = await accel.infer(doublingSkill, 1);
    expect(['cuda:0', 'cuda:1']).toContain(provenance.device);
    expect(accel.status().map((status) => status.id)).toEqual(['doubling@cuda:0', 'doubling@cuda:1']);
  });
});
