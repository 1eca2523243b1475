import { visionLanguageConformanceFixtures, type SkillCases } from '@accel/testkit';
import type { llavaNextSkill } from '../src/index.js';

const maxNewTokens = 6;
const { inputs, invalidInputs, expectOutput } = await visionLanguageConformanceFixtures(maxNewTokens);

/** llava-next's conformance data (the vision-language fixtures every such skill shares), on its default model (llava-hf/llava-onevision-qwen2-0.5b-ov-hf, forged tiny). */
export const cases: SkillCases<typeof llavaNextSkill> = { inputs, options: { maxNewTokens }, invalidInputs, expectOutput };
