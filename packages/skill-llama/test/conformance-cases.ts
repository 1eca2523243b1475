import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { textGenerationConformanceFixtures, type SkillCases } from '@accel/testkit';
import { afterAll } from 'vitest';
import type { llamaSkill } from '../src/index.js';

const maxNewTokens = 8;
const shared = textGenerationConformanceFixtures(maxNewTokens);

// The LLaMA architecture's cells go to their own report folder, so they do not overwrite the
// "llama" row of the workspace matrix.
const llamaArchitectureReports = await mkdtemp(join(tmpdir(), 'accel-llama-architecture-'));
afterAll(() => rm(llamaArchitectureReports, { recursive: true, force: true }));

/**
 * llama's conformance data, twice: the matrix row "llama" is the skill on its default model, OPT
 * (Xenova/opt-125m); then the same kit on the LLaMA architecture (GQA, RoPE, chat template).
 */
export const cases: SkillCases<typeof llamaSkill>[] = [
  {
    ...shared,
    options: { maxNewTokens },
    invalidInputs: [
      ...shared.invalidInputs,
      { name: 'chat on a model without a chat template', input: [{ role: 'user', content: 'hello' }] },
      { name: 'prompt longer than the context', input: 'the cat sat on the mat. '.repeat(40) },
    ],
  },
  {
    forge: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    reportDirectory: llamaArchitectureReports,
    inputs: ['Once upon a time', [{ role: 'user', content: 'Tell me a story about a cat.' }], 'a'],
    options: { maxNewTokens },
    invalidInputs: [...shared.invalidInputs, { name: 'prompt longer than the context', input: 'the cat sat on the mat. '.repeat(80) }],
    expectOutput: shared.expectOutput,
  },
];
