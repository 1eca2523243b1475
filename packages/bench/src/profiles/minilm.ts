import type { SkillV1 } from '@accel/core';
import { textEmbeddingProfile } from './text-embedding-profile.js';

/** `sentence-embeddings` on Xenova/all-MiniLM-L6-v2 (6 layers, hidden 384): mean pooling, normalised. */
export const miniLmProfile = textEmbeddingProfile({
  id: 'minilm',
  skill: { name: 'sentence-embeddings', load: async () => (await import('@accel/skill-sentence-embeddings')).sentenceEmbeddingsSkill as SkillV1 },
  model: 'Xenova/all-MiniLM-L6-v2',
  pooling: 'mean',
  normalize: true,
  // wasm in the full run only: its batches of 32 are slow, and --quick must stay under 2 minutes.
  quickBackends: ['cpu'],
});
