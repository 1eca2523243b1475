import type { EmbeddingOutput, TextInput } from '@accel/transformers-kit';
import type { SkillCases } from '@accel/testkit';
import { expect } from 'vitest';
import type { sentenceEmbeddingsSkill } from '../src/index.js';

function expectUnitVectors(output: EmbeddingOutput, input: TextInput): void {
  expect(output.embeddings).toHaveLength(typeof input === 'string' ? 1 : input.length);
  for (const embedding of output.embeddings) {
    expect(embedding).toBeInstanceOf(Float32Array);
    expect(embedding).toHaveLength(output.dimensions);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
  }
}

/** sentence-embeddings' conformance data, on its default model (Xenova/all-MiniLM-L6-v2). */
export const cases: SkillCases<typeof sentenceEmbeddingsSkill> = {
  inputs: ['a cat sat on the mat', 'dogs bark at night', ['the quick brown fox', 'jumps over the lazy dog']],
  invalidInputs: [
    { name: 'empty string', input: '' },
    { name: 'blank string', input: '   ' },
    { name: 'empty array', input: [] },
    { name: 'object', input: { text: 'hi' } },
  ],
  expectOutput: expectUnitVectors,
};
