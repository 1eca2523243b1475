export type { EmbeddingOutput, TextInput } from '@accel/transformers-kit';
export {
  sentenceEmbeddingsInputSchema,
  sentenceEmbeddingsOptionsSchema,
  sentenceEmbeddingsOutputSchema,
  sentenceEmbeddingsSkill,
  type SentenceEmbeddingOptions,
} from './sentence-embeddings-skill.js';
export { cosineSimilarity, rankBySimilarity } from './similarity.js';
