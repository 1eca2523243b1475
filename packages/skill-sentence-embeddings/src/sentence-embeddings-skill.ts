import { defineTextEmbeddingSkill, type TextEmbeddingOptions } from '@accel/transformers-kit';

/** Per-request options: mean pooling and L2 normalisation are the defaults (sentence-transformers' recipe). */
export type SentenceEmbeddingOptions = TextEmbeddingOptions;

/** Sentence vectors: mean-pooled over real tokens and L2-normalised, so a dot product is a cosine. */
export const sentenceEmbeddingsSkill = defineTextEmbeddingSkill<SentenceEmbeddingOptions>({
  name: 'sentence-embeddings',
  packageName: '@accel/skill-sentence-embeddings',
  exportName: 'sentenceEmbeddingsSkill',
  description: 'mean-pooled, L2-normalised sentence embeddings (all-MiniLM-L6-v2 family)',
  defaultModel: 'Xenova/all-MiniLM-L6-v2',
  defaults: { pooling: 'mean', normalize: true },
  maxBatchSize: 64,
});
