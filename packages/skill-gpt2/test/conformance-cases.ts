import { textGenerationConformanceFixtures, type SkillCases } from '@accel/testkit';
import type { gpt2Skill } from '../src/index.js';

const maxNewTokens = 8;
const shared = textGenerationConformanceFixtures(maxNewTokens);

/** gpt2's conformance data, on its default model (Xenova/gpt2): the shared decoder cases and gpt2's own limits. */
export const cases: SkillCases<typeof gpt2Skill> = {
  ...shared,
  options: { maxNewTokens },
  invalidInputs: [
    ...shared.invalidInputs,
    { name: 'chat on a model without a chat template', input: [{ role: 'user', content: 'hello' }] },
    { name: 'prompt longer than the context', input: 'the cat sat on the mat. '.repeat(40) },
  ],
};
