import type { SkillV1 } from '@accel/core';
import type { BenchSkill } from './bench-profile.js';
import { textEmbeddingProfile } from './text-embedding-profile.js';

const skill: BenchSkill = { name: 'sentence-embeddings', load: async () => (await import('@accel/skill-sentence-embeddings')).sentenceEmbeddingsSkill as SkillV1 };

/** `sentence-embeddings` on Xenova/all-MiniLM-L6-v2 (6 layers, hidden 384): mean pooling, normalised. */
export const miniLmProfile = textEmbeddingProfile({
  id: 'minilm',
  skill,
  model: 'Xenova/all-MiniLM-L6-v2',
  pooling: 'mean',
  normalize: true,
  // wasm in the full run only: its batches of 32 are slow, and --quick must stay under 2 minutes.
  quickBackends: ['cpu'],
});

/** The same MiniLM from `onnx/model_quantized.onnx` (dtype q8: dynamic int8 MatMul), on the CPU. */
export const miniLmQ8Profile = textEmbeddingProfile({
  id: 'minilm-q8',
  skill,
  model: 'Xenova/all-MiniLM-L6-v2',
  pooling: 'mean',
  normalize: true,
  dtype: 'q8',
  baseline: 'minilm',
  quickBackends: ['cpu'],
});
