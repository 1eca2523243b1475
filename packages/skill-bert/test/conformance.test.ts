import { createCpuBackend } from '@accel/backend-cpu';
import { createCudaBackend } from '@accel/backend-cuda';
import { createOpenVinoBackend } from '@accel/backend-openvino';
import { createWasmBackend } from '@accel/backend-wasm';
import type { EmbeddingOutput, TextInput } from '@accel/core';
import { testSkillConformance } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { expect } from 'vitest';
import { bertSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

function expectEmbeddings(output: EmbeddingOutput, input: TextInput): void {
  const count = typeof input === 'string' ? 1 : input.length;
  expect(output.embeddings).toHaveLength(count);
  expect(output.dimensions).toBe(32);
  for (const embedding of output.embeddings) {
    expect(embedding).toBeInstanceOf(Float32Array);
    expect(embedding).toHaveLength(32);
    expect(embedding.every(Number.isFinite)).toBe(true);
  }
}

const cpu = () => createCpuBackend({ threads: 1 });
const backends = [cpu, () => createCudaBackend(), () => createOpenVinoBackend(), () => createWasmBackend({ threads: 1 })];

for (const backend of backends) {
  await testSkillConformance({
    skill: bertSkill,
    backend,
    reference: cpu,
    model: async () => (await forgeModel('prajjwal1/bert-tiny', { root: modelRoot })).directory,
    inputs: ['a cat sat on the mat', 'dogs bark at night', ['the quick brown fox', 'jumps over the lazy dog']],
    invalidInputs: [
      { name: 'empty string', input: '' },
      { name: 'empty array', input: [] },
      { name: 'number', input: 42 },
      { name: 'array with a non-string', input: ['fine', null] },
      { name: 'unknown pooling', input: 'fine', options: { pooling: 'max' } },
    ],
    expectOutput: expectEmbeddings,
  });
}
