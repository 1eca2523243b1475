import { modelFileForDtype, type Dtype, type SkillV1 } from '@accel/core';
import { loadT5Model } from './load-t5-model.js';
import { prepareT5Request, t5Task } from './prepare-t5-request.js';
import type { T5Input, T5Item, T5Options, T5Output } from './t5-types.js';

/** The T5 skill's type. */
export type T5Skill = SkillV1<T5Input, T5Output, T5Options, T5Item, T5Output>;

const dtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'];

/**
 * T5 text-to-text generation: a prompt with its task prefix in ("translate English to German: …",
 * "summarize: …"), generated text out. Greedy by default; seeded sampling, stop strings and
 * streaming (`accel.stream`) through core's generation options.
 */
export const t5Skill: T5Skill = {
  specificationVersion: 'v1',
  name: 't5',
  packageName: '@accel/skill-t5',
  source: { module: '@accel/skill-t5', exportName: 't5Skill' },
  description: 'T5 text-to-text generation (translation, summarisation and other task prefixes)',
  tasks: [t5Task],
  defaultModel: 'Xenova/t5-small',
  limits: { maxBatchSize: 8 },
  example: { input: 'translate English to German: the house is small', options: { maxNewTokens: 8 } },
  dtypes,
  modelTypes: ['t5', 'mt5'],
  requiredFiles: (dtype) => [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    modelFileForDtype('encoder_model', dtype),
    modelFileForDtype('decoder_model_merged', dtype),
  ],
  doPrepare: prepareT5Request,
  doLoad: loadT5Model,
  doAssemble: (values) => values[0]!,
};
