import { type Dtype, modelFileForDtype, type SkillV1 } from '@accel/core';
import { assembleTextClassificationOutput } from './text-classification-assemble.js';
import { textClassificationCapabilities } from './text-classification-capabilities.js';
import { textClassificationCli } from './text-classification-cli.js';
import { loadTextClassificationModel, type TextClassificationLogits } from './text-classification-model.js';
import { prepareTextClassificationRequest, type TextClassificationItem } from './text-classification-prepare.js';
import {
  type TextClassificationInput,
  textClassificationInputSchema,
  type TextClassificationOptions,
  textClassificationOptionsSchema,
  type TextClassificationOutput,
  textClassificationOutputSchema,
} from './text-classification-schemas.js';

/** The text-classification skill's type: `SkillV1` over its input, output, options, items and values. */
export type TextClassificationSkill = SkillV1<
  TextClassificationInput,
  TextClassificationOutput,
  TextClassificationOptions,
  TextClassificationItem,
  TextClassificationLogits
>;

/** File variants with int64 token inputs and float32 logits (fp16 exports take and return float16). */
const dtypes: readonly Dtype[] = ['fp32', 'q8', 'int8', 'uint8', 'q4', 'bnb4'];

/**
 * Text classification (sentiment, topics, toxicity…) with a BERT or DistilBERT
 * `*ForSequenceClassification` export: each text's labels with their scores, best first, as
 * transformers.js's `text-classification` pipeline returns them.
 */
export const textClassificationSkill: TextClassificationSkill = {
  specificationVersion: 'v1',
  name: 'text-classification',
  packageName: '@accel/skill-text-classification',
  exportName: 'textClassificationSkill',
  description: 'Text classification (sentiment, topics, toxicity) with BERT or DistilBERT sequence-classification models: labels with scores',
  tasks: ['text-classification'],
  defaultModel: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
  modelTypes: ['bert', 'distilbert'],
  limits: { maxBatchSize: 32 },
  dtypes,
  requiredFiles: (dtype) => ['config.json', 'tokenizer.json', 'tokenizer_config.json', modelFileForDtype('model', dtype)],
  example: { input: ['I love this movie', 'The service was slow and rude'], options: { topK: 2 } },
  schemas: { input: textClassificationInputSchema, options: textClassificationOptionsSchema, output: textClassificationOutputSchema },
  cli: textClassificationCli,
  capabilities: textClassificationCapabilities,
  doPrepare: prepareTextClassificationRequest,
  doLoad: loadTextClassificationModel,
  doAssemble: assembleTextClassificationOutput,
};
