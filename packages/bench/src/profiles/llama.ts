import { textGenerationProfile } from './text-generation-profile.js';

/** `llama` on HuggingFaceTB/SmolLM2-135M-Instruct (30 layers, hidden 576, GQA), greedy on the raw prompt. */
export const llamaProfile = textGenerationProfile({
  id: 'smollm2',
  skill: { name: 'llama', packageName: '@accel/skill-llama', exportName: 'llamaSkill' },
  model: 'HuggingFaceTB/SmolLM2-135M-Instruct',
});
