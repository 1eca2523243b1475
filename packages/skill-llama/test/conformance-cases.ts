import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvalidInputCase, SkillCases } from '@accel/testkit';
import { afterAll, expect } from 'vitest';
import type { llamaSkill, TextGenerationOutput } from '../src/index.js';

const maxNewTokens = 8;

function expectGeneration(output: TextGenerationOutput): void {
  expect(typeof output.text).toBe('string');
  expect(output.tokens.every((token) => Number.isInteger(token) && token >= 0)).toBe(true);
  expect(output.tokens.length).toBeLessThanOrEqual(maxNewTokens);
  expect(['eos', 'length']).toContain(output.stopReason);
  if (output.stopReason === 'length') expect(output.tokens).toHaveLength(maxNewTokens);
}

const badOptions: InvalidInputCase[] = [
  { name: 'empty prompt', input: '' },
  { name: 'empty chat', input: [] },
  { name: 'number', input: 42 },
  { name: 'null', input: null },
  { name: 'chat message with an unknown role', input: [{ role: 'robot', content: 'hi' }] },
  { name: 'chat message without content', input: [{ role: 'user' }] },
  { name: 'maxNewTokens 0', input: 'hi', options: { maxNewTokens: 0 } },
  { name: 'negative maxNewTokens', input: 'hi', options: { maxNewTokens: -3 } },
  { name: 'fractional maxNewTokens', input: 'hi', options: { maxNewTokens: 2.5 } },
  { name: 'maxNewTokens as a string', input: 'hi', options: { maxNewTokens: '8' } },
  { name: 'negative temperature', input: 'hi', options: { temperature: -0.5 } },
  { name: 'temperature NaN', input: 'hi', options: { temperature: Number.NaN } },
  { name: 'topP 0', input: 'hi', options: { topP: 0 } },
  { name: 'topP above 1', input: 'hi', options: { topP: 1.5 } },
  { name: 'negative topK', input: 'hi', options: { topK: -1 } },
  { name: 'repetitionPenalty 0', input: 'hi', options: { repetitionPenalty: 0 } },
  { name: 'stop not an array', input: 'hi', options: { stop: 'x' } },
  { name: 'empty stop string', input: 'hi', options: { stop: [''] } },
  { name: 'fractional seed', input: 'hi', options: { seed: 0.5 } },
];

// The LLaMA architecture's cells go to their own report folder, so they do not overwrite the
// "llama" row of the workspace matrix.
const llamaArchitectureReports = await mkdtemp(join(tmpdir(), 'accel-llama-architecture-'));
afterAll(() => rm(llamaArchitectureReports, { recursive: true, force: true }));

/**
 * llama's conformance data, twice: the matrix row "llama" is the skill on its default model, OPT
 * (facebook/opt-125m); then the same kit on the LLaMA architecture (GQA, RoPE, chat template).
 */
export const cases: SkillCases<typeof llamaSkill>[] = [
  {
    inputs: ['Once upon a time', 'The quick brown fox jumps over the lazy dog, and then', 'a'],
    options: { maxNewTokens },
    invalidInputs: [
      ...badOptions,
      { name: 'chat on a model without a chat template', input: [{ role: 'user', content: 'hello' }] },
      { name: 'prompt longer than the context', input: 'the cat sat on the mat. '.repeat(40) },
    ],
    expectOutput: expectGeneration,
  },
  {
    forge: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    reportDirectory: llamaArchitectureReports,
    inputs: ['Once upon a time', [{ role: 'user', content: 'Tell me a story about a cat.' }], 'a'],
    options: { maxNewTokens },
    invalidInputs: [...badOptions, { name: 'prompt longer than the context', input: 'the cat sat on the mat. '.repeat(80) }],
    expectOutput: expectGeneration,
  },
];
