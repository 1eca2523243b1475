import { visionLanguageConformanceFixtures, type SkillCases } from '@accel/testkit';
import type { llavaSkill } from '../src/index.js';

const maxNewTokens = 6;
const { inputs, invalidInputs, expectOutput } = await visionLanguageConformanceFixtures(maxNewTokens);

/** llava's conformance data (the vision-language fixtures every such skill shares), on its default model (llava-hf/llava-interleave-qwen-0.5b-hf). */
export const cases: SkillCases<typeof llavaSkill> = { inputs, options: { maxNewTokens }, invalidInputs, expectOutput };
