import { mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendUnavailableError, InvalidInputError, InvalidModelError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { describe, expect, it } from 'vitest';
import { cpuSessionOptions, createCpuBackend, type CpuSpinning } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

describe('cpu backend', () => {
  it('probes the CPU model, core count, thread budget and runtime', async () => {
    const probe = await createCpuBackend({ threads: 1 }).probe();
    expect(probe).toMatchObject({
      backend: 'cpu',
      available: true,
      runtime: 'onnxruntime-node 1.30.0',
      devices: [{ label: 'cpu', name: cpus()[0]!.model.trim(), cores: availableParallelism() }],
      details: { threads: 1, cores: availableParallelism() },
    });
    expect(probe.dtypes).toContain('fp32');
    expect(probe.reason).toBeUndefined();
  });

  it('defaults the thread budget to every usable core', async () => {
    expect((await createCpuBackend().probe()).details?.threads).toBe(availableParallelism());
  });

  it('refuses a thread budget that is not a positive integer', () => {
    expect(() => createCpuBackend({ threads: 0 })).toThrow(InvalidInputError);
    expect(() => createCpuBackend({ threads: 1.5 })).toThrow(/positive integer/);
  });

  it('spins intra-op threads during runs only by default, and takes the other modes', () => {
    expect(cpuSessionOptions({}, 2)).toMatchObject({ intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '1' }, force_spinning_stop: '1' } } });
    expect(cpuSessionOptions({ spinning: 'always' }, 2).extra.session).toEqual({ intra_op: { allow_spinning: '1' } });
    expect(cpuSessionOptions({ spinning: 'never' }, 2).extra.session).toEqual({ intra_op: { allow_spinning: '0' } });
    expect(() => createCpuBackend({ spinning: 'sometimes' as CpuSpinning })).toThrow('spinning must be one of during-runs, always, never, got sometimes');
  });

  it('gives the same outputs whichever way its threads wait', async () => {
    const { directory } = await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot });
    const dims = [1, 4];
    const feeds = {
      input_ids: { type: 'int64' as const, dims, data: BigInt64Array.from([2n, 10n, 11n, 3n]) },
      attention_mask: { type: 'int64' as const, dims, data: BigInt64Array.from([1n, 1n, 1n, 1n]) },
      token_type_ids: { type: 'int64' as const, dims, data: new BigInt64Array(4) },
    };
    const outputs: Float32Array[] = [];
    for (const spinning of ['during-runs', 'always', 'never'] as const) {
      const session = await createCpuBackend({ threads: 2, spinning }).doCreateSession({ file: join(directory, 'onnx/model.onnx'), device: 'cpu', dtype: 'fp32' });
      outputs.push((await session.run(feeds)).last_hidden_state!.data as Float32Array);
      await session.release();
    }
    expect(outputs[0]!.length).toBe(4 * 32);
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
  });

  it('runs a model and accepts plain tensor-shaped feeds', async () => {
    const { directory } = await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot });
    const session = await createCpuBackend({ threads: 1 }).doCreateSession({ file: join(directory, 'onnx/model.onnx'), device: 'cpu', dtype: 'fp32' });
    expect(session.inputNames).toEqual(expect.arrayContaining(['input_ids', 'attention_mask', 'token_type_ids']));
    const dims = [1, 4];
    const outputs = await session.run({
      input_ids: { type: 'int64', dims, data: BigInt64Array.from([2n, 10n, 11n, 3n]) },
      attention_mask: { type: 'int64', dims, data: BigInt64Array.from([1n, 1n, 1n, 1n]) },
      token_type_ids: { type: 'int64', dims, data: new BigInt64Array(4) },
    });
    expect(outputs.last_hidden_state?.dims).toEqual([1, 4, 32]);
    await session.release();
  });

  it('turns an unreadable model file into InvalidModelError and a foreign device into BackendUnavailableError', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'accel-cpu-'));
    await writeFile(join(folder, 'model.onnx'), 'not a model');
    const backend = createCpuBackend({ threads: 1 });
    await expect(backend.doCreateSession({ file: join(folder, 'model.onnx'), device: 'cpu', dtype: 'fp32' })).rejects.toSatisfy(InvalidModelError.isInstance);
    await expect(backend.doCreateSession({ file: join(folder, 'model.onnx'), device: 'cuda:0', dtype: 'fp32' })).rejects.toSatisfy(
      BackendUnavailableError.isInstance,
    );
  });
});
