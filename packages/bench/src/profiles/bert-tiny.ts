import { textEmbeddingProfile } from './text-embedding-profile.js';

/** `bert` on prajjwal1/bert-tiny (2 layers, hidden 128): mean pooling, not normalised (the skill's defaults). */
export const bertTinyProfile = textEmbeddingProfile({
  id: 'bert-tiny',
  skill: { name: 'bert', packageName: '@accel/skill-bert', exportName: 'bertSkill' },
  model: 'prajjwal1/bert-tiny',
  pooling: 'mean',
  normalize: false,
  quickBackends: ['cpu', 'wasm'],
});
