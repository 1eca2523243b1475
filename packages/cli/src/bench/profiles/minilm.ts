import { textEmbeddingProfile } from './text-embedding-profile.js';

/** `sentence-embeddings` on Xenova/all-MiniLM-L6-v2 (6 layers, hidden 384): mean pooling, normalised. */
export const miniLmProfile = textEmbeddingProfile({
  id: 'minilm',
  skill: { name: 'sentence-embeddings', packageName: '@accel/skill-sentence-embeddings', exportName: 'sentenceEmbeddingsSkill' },
  model: 'Xenova/all-MiniLM-L6-v2',
  pooling: 'mean',
  normalize: true,
  quickBackends: ['cpu', 'wasm'],
});
