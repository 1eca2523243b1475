import { textGenerationProfile } from './text-generation-profile.js';

/** `gpt2` on Xenova/gpt2 (124M: 12 layers, hidden 768), greedy. */
export const gpt2Profile = textGenerationProfile({
  id: 'gpt2',
  skill: { name: 'gpt2', packageName: '@accel/skill-gpt2', exportName: 'gpt2Skill' },
  model: 'Xenova/gpt2',
  quickBackends: ['cpu'],
});
