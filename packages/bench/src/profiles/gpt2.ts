import type { SkillV1 } from '@accel/core';
import type { BenchSkill } from './bench-profile.js';
import { textGenerationProfile } from './text-generation-profile.js';

const skill: BenchSkill = { name: 'gpt2', load: async () => (await import('@accel/skill-gpt2')).gpt2Skill as SkillV1 };

/** `gpt2` on Xenova/gpt2 (124M: 12 layers, hidden 768), greedy. */
export const gpt2Profile = textGenerationProfile({ id: 'gpt2', skill, model: 'Xenova/gpt2', quickBackends: ['cpu'] });

/** The same gpt2 from `onnx/model_quantized.onnx` (dtype q8: dynamic int8 MatMul), on the CPU. */
export const gpt2Q8Profile = textGenerationProfile({ id: 'gpt2-q8', skill, model: 'Xenova/gpt2', dtype: 'q8', baseline: 'gpt2', quickBackends: ['cpu'] });
