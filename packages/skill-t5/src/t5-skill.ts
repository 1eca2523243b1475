import { modelFileForDtype, type Dtype, type SkillV1 } from '@accel/core';
import { promptGenerateCapability } from '@accel/transformers-kit';
import { assembleT5Output } from './t5-assemble.js';
import { t5Cli } from './t5-cli.js';
import { loadT5Model } from './t5-model.js';
import { prepareT5Request, t5Task, type T5Item } from './t5-prepare.js';
import { t5InputSchema, t5OptionsSchema, t5OutputSchema, type T5Input, type T5Options, type T5Output } from './t5-schemas.js';

/** The T5 skill's type. */
export type T5Skill = SkillV1<T5Input, T5Output, T5Options, T5Item, T5Output>;

const dtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'];

/**
 * T5 text-to-text generation: a prompt with its task prefix in ("translate English to German: …",
 * "summarize: …"), generated text out. Greedy by default; seeded sampling, stop strings and
 * streaming (`accel.stream`) through the kit's generation options.
 */
export const t5Skill: T5Skill = {
  specificationVersion: 'v1',
  name: 't5',
  packageName: '@accel/skill-t5',
  exportName: 't5Skill',
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
  schemas: { input: t5InputSchema, options: t5OptionsSchema, output: t5OutputSchema },
  cli: t5Cli,
  streams: true,
  // Completions only: T5 continues a prompt with its task prefix and has no chat template.
  capabilities: { generate: promptGenerateCapability({ chat: false }) },
  doPrepare: prepareT5Request,
  doLoad: loadT5Model,
  doAssemble: assembleT5Output,
};
