import type { SkillCases } from '@accel/testkit';
import { expect } from 'vitest';
import type { t5Skill, T5Output } from '../src/index.js';

const maxNewTokens = 8;

function expectGenerated(output: T5Output): void {
  expect(typeof output.text).toBe('string');
  expect(output.text.length).toBeGreaterThan(0);
  expect(['eos', 'length', 'stop-string']).toContain(output.stopReason);
}

/** t5's conformance data, on its default model (Xenova/t5-small). */
export const cases: SkillCases<typeof t5Skill> = {
  options: { maxNewTokens },
  inputs: [
    'translate English to German: the house is small',
    'summarize: the quick brown fox jumps over the lazy dog because it is happy',
    'hello',
  ],
  invalidInputs: [
    { name: 'empty prompt', input: '' },
    { name: 'blank prompt', input: '   ' },
    { name: 'number', input: 42 },
    { name: 'null', input: null },
    { name: 'array of prompts', input: ['one', 'two'] },
    { name: 'chat messages (no chat template)', input: [{ role: 'user', content: 'hello' }] },
    { name: 'maxNewTokens 0', input: 'hello', options: { maxNewTokens: 0 } },
    { name: 'fractional maxNewTokens', input: 'hello', options: { maxNewTokens: 2.5 } },
    { name: 'negative temperature', input: 'hello', options: { temperature: -1 } },
    { name: 'topP 0', input: 'hello', options: { topP: 0 } },
    { name: 'topP above 1', input: 'hello', options: { topP: 1.5 } },
    { name: 'negative topK', input: 'hello', options: { topK: -1 } },
    { name: 'repetitionPenalty 0', input: 'hello', options: { repetitionPenalty: 0 } },
    { name: 'empty stop string', input: 'hello', options: { stop: [''] } },
    { name: 'fractional seed', input: 'hello', options: { seed: 0.5 } },
  ],
  expectOutput: expectGenerated,
};
