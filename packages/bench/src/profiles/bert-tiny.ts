import type { SkillV1 } from '@accel/core';
import { textEmbeddingProfile } from './text-embedding-profile.js';

/** `bert` on onnx-community/bert-tiny-ONNX (2 layers, hidden 128): mean pooling, not normalised (the skill's defaults). */
export const bertTinyProfile = textEmbeddingProfile({
  id: 'bert-tiny',
  skill: { name: 'bert', load: async () => (await import('@accel/skill-bert')).bertSkill as SkillV1 },
  model: 'onnx-community/bert-tiny-ONNX',
  pooling: 'mean',
  normalize: false,
  quickBackends: ['cpu', 'wasm'],
});
