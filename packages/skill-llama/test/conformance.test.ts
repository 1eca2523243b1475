import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { createCudaBackend } from '@accel/backend-cuda';
import { createOpenVinoBackend } from '@accel/backend-openvino';
import { createWasmBackend } from '@accel/backend-wasm';
import { testSkillConformance, type InvalidInputCase } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { afterAll, expect } from 'vitest';
import { llamaSkill, type TextGenerationOutput } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
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

const cpu = () => createCpuBackend({ threads: 1 });
const backends = [cpu, () => createCudaBackend(), () => createOpenVinoBackend(), () => createWasmBackend({ threads: 1 })];

// The matrix row "llama" is the skill on its default model, OPT (facebook/opt-125m).
for (const backend of backends) {
  await testSkillConformance({
    skill: llamaSkill,
    backend,
    reference: cpu,
    model: async () => (await forgeModel('facebook/opt-125m', { root: modelRoot })).directory,
    inputs: ['Once upon a time', 'The quick brown fox jumps over the lazy dog, and then', 'a'],
    options: { maxNewTokens },
    invalidInputs: [
      ...badOptions,
      { name: 'chat on a model without a chat template', input: [{ role: 'user', content: 'hello' }] },
      { name: 'prompt longer than the context', input: 'the cat sat on the mat. '.repeat(40) },
    ],
    expectOutput: expectGeneration,
  });
}

// The same kit on the LLaMA architecture (GQA, RoPE, chat template). Its cells go to their own
// report folder, so they do not overwrite the "llama" row of the workspace matrix.
const llamaArchitectureReports = await mkdtemp(join(tmpdir(), 'accel-llama-architecture-'));
afterAll(() => rm(llamaArchitectureReports, { recursive: true, force: true }));
for (const backend of backends) {
  await testSkillConformance({
    skill: llamaSkill,
    backend,
    reference: cpu,
    reportDirectory: llamaArchitectureReports,
    model: async () => (await forgeModel('HuggingFaceTB/SmolLM2-135M-Instruct', { root: modelRoot })).directory,
    inputs: ['Once upon a time', [{ role: 'user', content: 'Tell me a story about a cat.' }], 'a'],
    options: { maxNewTokens },
    invalidInputs: [...badOptions, { name: 'prompt longer than the context', input: 'the cat sat on the mat. '.repeat(80) }],
    expectOutput: expectGeneration,
  });
}
