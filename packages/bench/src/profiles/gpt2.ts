import type { SkillV1 } from '@accel/core';
import { textGenerationProfile } from './text-generation-profile.js';

/** `gpt2` on Xenova/gpt2 (124M: 12 layers, hidden 768), greedy. */
export const gpt2Profile = textGenerationProfile({
  id: 'gpt2',
  skill: { name: 'gpt2', load: async () => (await import('@accel/skill-gpt2')).gpt2Skill as SkillV1 },
  model: 'Xenova/gpt2',
  quickBackends: ['cpu'],
});
