import type { SkillV1 } from '@accel/core';
import { textGenerationProfile } from './text-generation-profile.js';

/** `llama` on HuggingFaceTB/SmolLM2-135M-Instruct (30 layers, hidden 576, GQA), greedy on the raw prompt. */
export const llamaProfile = textGenerationProfile({
  id: 'smollm2',
  skill: { name: 'llama', load: async () => (await import('@accel/skill-llama')).llamaSkill as SkillV1 },
  model: 'HuggingFaceTB/SmolLM2-135M-Instruct',
});
