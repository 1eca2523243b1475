import { createCpuBackend } from '@accel/backend-cpu';
import { createCudaBackend } from '@accel/backend-cuda';
import { createOpenVinoBackend } from '@accel/backend-openvino';
import { createWasmBackend } from '@accel/backend-wasm';
import type { EmbeddingOutput, TextInput } from '@accel/core';
import { testSkillConformance } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { expect } from 'vitest';
import { sentenceEmbeddingsSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

function expectUnitVectors(output: EmbeddingOutput, input: TextInput): void {
  expect(output.embeddings).toHaveLength(typeof input === 'string' ? 1 : input.length);
  for (const embedding of output.embeddings) {
    expect(embedding).toBeInstanceOf(Float32Array);
    expect(embedding).toHaveLength(output.dimensions);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
  }
}

const cpu = () => createCpuBackend({ threads: 1 });
const backends = [cpu, () => createCudaBackend(), () => createOpenVinoBackend(), () => createWasmBackend({ threads: 1 })];

for (const backend of backends) {
  await testSkillConformance({
    skill: sentenceEmbeddingsSkill,
    backend,
    reference: cpu,
    model: async () => (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot })).directory,
    inputs: ['a cat sat on the mat', 'dogs bark at night', ['the quick brown fox', 'jumps over the lazy dog']],
    invalidInputs: [
      { name: 'empty string', input: '' },
      { name: 'blank string', input: '   ' },
      { name: 'empty array', input: [] },
      { name: 'object', input: { text: 'hi' } },
    ],
    expectOutput: expectUnitVectors,
  });
}
