import { expect } from 'vitest';
import type { TextGenerationInput, TextGenerationOutput } from '@accel/transformers-kit';
import type { InvalidInputCase } from './conformance.js';

/**
 * The conformance data every text-generation skill (gpt2, llama, and any decoder built with
 * `defineTextGenerationSkill`) shares: three valid prompts, every malformed prompt and option
 * the skills must refuse before any work, and the output check for `maxNewTokens`. A skill adds
 * its model-specific cases (a chat on a model without a chat template, a prompt longer than the
 * model's context) to `invalidInputs`.
 */
export function textGenerationConformanceFixtures(maxNewTokens: number): {
  inputs: TextGenerationInput[];
  invalidInputs: InvalidInputCase[];
  expectOutput: (output: TextGenerationOutput) => void;
} {
  const inputs: TextGenerationInput[] = ['Once upon a time', 'The quick brown fox jumps over the lazy dog, and then', 'a'];
  const invalidInputs: InvalidInputCase[] = [
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
    { name: 'an unknown option', input: 'hi', options: { maxTokens: 8 } },
  ];
  const expectOutput = (output: TextGenerationOutput): void => {
    expect(typeof output.text).toBe('string');
    expect(output.tokens.every((token) => Number.isInteger(token) && token >= 0)).toBe(true);
    expect(output.tokens.length).toBeLessThanOrEqual(maxNewTokens);
    expect(['eos', 'length']).toContain(output.stopReason);
    if (output.stopReason === 'length') expect(output.tokens).toHaveLength(maxNewTokens);
  };
  return { inputs, invalidInputs, expectOutput };
}
