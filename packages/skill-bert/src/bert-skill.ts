import { defineTextEmbeddingSkill, type TextEmbeddingOptions } from '@accel/transformers-kit';

/** Per-request options of the BERT skill: `pooling` (`mean`, the default, or `cls`) and `normalize` (default false). */
export type BertOptions = TextEmbeddingOptions;

/** BERT text embeddings: `cls` or `mean` pooling, optional L2 normalisation. */
export const bertSkill = defineTextEmbeddingSkill<BertOptions>({
  name: 'bert',
  packageName: '@accel/skill-bert',
  exportName: 'bertSkill',
  description: 'BERT text embeddings (cls or mean pooling, optional normalisation)',
  defaultModel: 'prajjwal1/bert-tiny',
  defaults: { pooling: 'mean', normalize: false },
  maxBatchSize: 32,
});
