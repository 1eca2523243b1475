import { defineTextGenerationSkill, type TextGenerationOptions } from '@accel/transformers-kit';

/** Per-request options of the GPT-2 skill: core's generation options (`maxNewTokens`, `temperature`, `topK`, `topP`, `repetitionPenalty`, `stop`, `seed`). */
export type Gpt2Options = TextGenerationOptions;

/**
 * GPT-2 family text generation (GPT2LMHeadModel), the "Language Model" row: a prompt in,
 * generated text out; greedy unless `temperature` > 0, seeded sampling, stop strings, streaming
 * through `accel.stream()`. Chat messages work only with models that ship a chat template.
 */
export const gpt2Skill = defineTextGenerationSkill({
  name: 'gpt2',
  packageName: '@accel/skill-gpt2',
  exportName: 'gpt2Skill',
  description: 'GPT-2 family text generation (causal LM, the "Language Model" row) with streaming',
  defaultModel: 'Xenova/gpt2',
  modelClasses: { gpt2: 'GPT2LMHeadModel' },
  maxBatchSize: 8,
  example: { input: 'Once upon a time', options: { maxNewTokens: 8 } },
});

/** What `gpt2Skill` takes (zod 4): a prompt, or chat messages formatted with the model's chat template. */
export const gpt2InputSchema = gpt2Skill.schemas.input;
/** GPT-2's generation options (zod 4); `accel run gpt2 --help` lists them as flags. */
export const gpt2OptionsSchema = gpt2Skill.schemas.options;
/** What `gpt2Skill` returns (zod 4): `{ text, tokens, stopReason }`. */
export const gpt2OutputSchema = gpt2Skill.schemas.output;
