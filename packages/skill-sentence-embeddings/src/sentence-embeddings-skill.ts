import { defineTextEmbeddingSkill, type TextEmbeddingOptions } from '@accel/transformers-kit/encoders';

/** Per-request options: mean pooling and L2 normalisation are the defaults (sentence-transformers' recipe). */
export type SentenceEmbeddingOptions = TextEmbeddingOptions;

/** Sentence vectors: mean-pooled over real tokens and L2-normalised, so a dot product is a cosine. */
export const sentenceEmbeddingsSkill = defineTextEmbeddingSkill({
  name: 'sentence-embeddings',
  packageName: '@accel/skill-sentence-embeddings',
  exportName: 'sentenceEmbeddingsSkill',
  description: 'mean-pooled, L2-normalised sentence embeddings (all-MiniLM-L6-v2 family)',
  defaultModel: 'Xenova/all-MiniLM-L6-v2',
  defaults: { pooling: 'mean', normalize: true },
  maxBatchSize: 64,
});

/** What `sentenceEmbeddingsSkill` takes (zod 4): one text, or a non-empty list of texts. */
export const sentenceEmbeddingsInputSchema = sentenceEmbeddingsSkill.schemas.input;
/** The options (zod 4): `pooling`, `normalize`; `accel run sentence-embeddings --help` lists them as flags. */
export const sentenceEmbeddingsOptionsSchema = sentenceEmbeddingsSkill.schemas.options;
/** What `sentenceEmbeddingsSkill` returns (zod 4): `{ embeddings, dimensions }`. */
export const sentenceEmbeddingsOutputSchema = sentenceEmbeddingsSkill.schemas.output;
