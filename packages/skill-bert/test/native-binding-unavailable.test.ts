import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, type Provenance } from '@accel/core';
import { withoutOnnxruntimeNodePreload } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { describe, expect, it } from 'vitest';
import { bertSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const run = promisify(execFile);

describe('auto in a process where onnxruntime-node cannot load', () => {
  it('serves through wasm, names wasm in the provenance, and says why cpu was skipped', async () => {
    const { directory } = await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot });
    const { stdout } = await run(
      process.execPath,
      ['--import', withoutOnnxruntimeNodePreload, new URL('./fixtures/serve-with-auto.mjs', import.meta.url).pathname, directory],
      { cwd: new URL('..', import.meta.url).pathname },
    );
    const child = JSON.parse(stdout) as { dimensions: number; count: number; first: number[]; provenance: Provenance };
    expect(child.count).toBe(2);
    expect(child.provenance).toMatchObject({ backend: 'wasm', device: 'wasm', runtime: 'onnxruntime-web 1.30.0' });
    expect(child.provenance.fallbacks).toEqual([
      { from: 'cpu', to: 'wasm', code: 'ACCEL_BACKEND_UNAVAILABLE', reason: expect.stringContaining('simulated: onnxruntime-node cannot be resolved in this process') },
    ]);

    const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })] });
    accel.addEndpoint({ skill: bertSkill, model: directory });
    const { output } = await accel.infer(bertSkill, ['a cat sat on the mat', 'dogs bark']);
    output.embeddings[0]!.forEach((value, index) => expect(Math.abs(value - child.first[index]!)).toBeLessThan(1e-4));
    await accel.dispose();
  });
});
