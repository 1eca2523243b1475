import { join } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { BackendUnavailableError, InvalidInputError, InvalidModelError, type InferenceSessionV1, type TensorLike } from '@accel/core';
import { findDifference } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let modelFile: string;
const dims = [2, 4];
const feeds: Record<string, TensorLike> = {
  input_ids: { type: 'int64', dims, data: BigInt64Array.from([2n, 10n, 11n, 3n, 2n, 12n, 3n, 0n]) },
  attention_mask: { type: 'int64', dims, data: BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n]) },
  token_type_ids: { type: 'int64', dims, data: new BigInt64Array(8) },
};

async function runOnce(session: InferenceSessionV1) {
  const outputs = await session.run(feeds);
  await session.release();
  return { dims: outputs.last_hidden_state!.dims, data: Array.from(outputs.last_hidden_state!.data as Float32Array) };
}

beforeAll(async () => {
  modelFile = join((await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot })).directory, 'onnx/model.onnx');
});

describe('wasm backend', () => {
  it('probes the runtime, threads and SIMD it found', async () => {
    const probe = await createWasmBackend({ threads: 1 }).probe();
    expect(probe).toMatchObject({ backend: 'wasm', available: true, runtime: 'onnxruntime-web 1.30.0', devices: [{ label: 'wasm' }] });
    expect(probe.details).toMatchObject({ threads: 1, simd: expect.any(Boolean), sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined' });
    expect(probe.dtypes).toContain('fp32');
  });

  it('matches onnxruntime-node on the CPU within 1e-5 on the same model', async () => {
    const wasm = await runOnce(await createWasmBackend({ threads: 1 }).doCreateSession({ file: modelFile, device: 'wasm', dtype: 'fp32' }));
    const cpu = await runOnce(await createCpuBackend({ threads: 1 }).doCreateSession({ file: modelFile, device: 'cpu', dtype: 'fp32' }));
    expect(wasm.dims).toEqual([2, 4, 32]);
    expect(findDifference(wasm.data, cpu.data, 1e-5)).toBeUndefined();
  });

  it('refuses bad options, foreign devices and unreadable models with typed errors', async () => {
    expect(() => createWasmBackend({ threads: 0 })).toThrow(InvalidInputError);
    const backend = createWasmBackend({ threads: 1 });
    await expect(backend.doCreateSession({ file: modelFile, device: 'cpu', dtype: 'fp32' })).rejects.toSatisfy(BackendUnavailableError.isInstance);
    await expect(backend.doCreateSession({ file: `${modelFile}.missing`, device: 'wasm', dtype: 'fp32' })).rejects.toSatisfy(InvalidModelError.isInstance);
  });

  it('imports nothing Node-specific on its main path', async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const folder = new URL('../src/', import.meta.url).pathname;
    for (const name of await readdir(folder)) {
      expect(await readFile(join(folder, name), 'utf8'), name).not.toMatch(/from ['"]node:|require\(/);
    }
  });
});
