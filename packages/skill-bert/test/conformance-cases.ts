import type { EmbeddingOutput, TextInput } from '@accel/transformers-kit';
import type { SkillCases } from '@accel/testkit';
import { expect } from 'vitest';
import type { bertSkill } from '../src/index.js';

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

/** bert's conformance data, on its default model (onnx-community/bert-tiny-ONNX). */
export const cases: SkillCases<typeof bertSkill> = {
  inputs: ['a cat sat on the mat', 'dogs bark at night', ['the quick brown fox', 'jumps over the lazy dog']],
  invalidInputs: [
    { name: 'empty string', input: '' },
    { name: 'empty array', input: [] },
    { name: 'number', input: 42 },
    { name: 'array with a non-string', input: ['fine', null] },
    { name: 'unknown pooling', input: 'fine', options: { pooling: 'max' } },
  ],
  expectOutput: expectEmbeddings,
};
