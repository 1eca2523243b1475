import type { SkillCases } from '@accel/testkit';
import { expect } from 'vitest';
import type { TextClassificationInput, TextClassificationOutput, textClassificationSkill } from '../src/index.js';

const labels = ['NEGATIVE', 'POSITIVE'];

function expectClassifications(output: TextClassificationOutput, input: TextClassificationInput): void {
  expect(output.classifications).toHaveLength(typeof input === 'string' ? 1 : input.length);
  for (const ranking of output.classifications) {
    // topK 2 on a two-label model: every label once, best first, probabilities that sum to 1.
    expect(ranking.map((entry) => entry.label).sort()).toEqual(labels);
    expect(ranking[0]!.score).toBeGreaterThanOrEqual(ranking[1]!.score);
    for (const { score } of ranking) expect(score).toBeGreaterThanOrEqual(0);
    expect(Math.abs(ranking[0]!.score + ranking[1]!.score - 1)).toBeLessThan(1e-6);
  }
}

/** text-classification's conformance data, on its default model (Xenova/distilbert-base-uncased-finetuned-sst-2-english). */
export const cases: SkillCases<typeof textClassificationSkill> = {
  inputs: ['I love this movie', 'the service was slow and the food was cold', ['what a wonderful day', 'terrible, never again']],
  options: { topK: 2 },
  invalidInputs: [
    { name: 'empty string', input: '' },
    { name: 'whitespace only', input: '   ' },
    { name: 'empty array', input: [] },
    { name: 'number', input: 42 },
    { name: 'null', input: null },
    { name: 'array with a non-string', input: ['fine', 7] },
    { name: 'an object', input: { text: 'fine' } },
    { name: 'topK of 0', input: 'fine', options: { topK: 0 } },
    { name: 'fractional topK', input: 'fine', options: { topK: 1.5 } },
    { name: 'unknown score function', input: 'fine', options: { functionToApply: 'tanh' } },
    { name: 'unknown option', input: 'fine', options: { top_k: 2 } },
  ],
  expectOutput: expectClassifications,
};
