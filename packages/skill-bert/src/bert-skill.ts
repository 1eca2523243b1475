import { defineTextEmbeddingSkill, type TextEmbeddingOptions } from '@accel/transformers-kit/encoders';

/** Per-request options of the BERT skill: `pooling` (`mean`, the default, or `cls`) and `normalize` (default false). */
export type BertOptions = TextEmbeddingOptions;

/** BERT text embeddings: `cls` or `mean` pooling, optional L2 normalisation. */
export const bertSkill = defineTextEmbeddingSkill({
  name: 'bert',
  packageName: '@accel/skill-bert',
  exportName: 'bertSkill',
  description: 'BERT text embeddings (cls or mean pooling, optional normalisation)',
  defaultModel: 'onnx-community/bert-tiny-ONNX',
  defaults: { pooling: 'mean', normalize: false },
  maxBatchSize: 32,
});

/** What `bertSkill` takes (zod 4): one text, or a non-empty list of texts. */
export const bertInputSchema = bertSkill.schemas.input;
/** BERT's options (zod 4): `pooling`, `normalize`; `accel run bert --help` lists them as flags. */
export const bertOptionsSchema = bertSkill.schemas.options;
/** What `bertSkill` returns (zod 4): `{ embeddings, dimensions }`. */
export const bertOutputSchema = bertSkill.schemas.output;
