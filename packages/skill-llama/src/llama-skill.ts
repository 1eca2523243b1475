import { defineTextGenerationSkill, type TextGenerationOptions } from '@accel/transformers-kit';

/** Per-request options of the LLaMA skill: core's generation options (`maxNewTokens`, `temperature`, `topK`, `topP`, `repetitionPenalty`, `stop`, `seed`). */
export type LlamaOptions = TextGenerationOptions;

/**
 * LLaMA- and OPT-family text generation (LlamaForCausalLM, OPTForCausalLM): a prompt or a chat
 * (formatted with the model's chat template) in, generated text out; greedy unless `temperature`
 * > 0, seeded sampling, stop strings, streaming through `accel.stream()`.
 */
export const llamaSkill = defineTextGenerationSkill({
  name: 'llama',
  packageName: '@accel/skill-llama',
  exportName: 'llamaSkill',
  description: 'LLaMA and OPT family text generation (causal LM) with streaming',
  defaultModel: 'Xenova/opt-125m',
  modelClasses: { llama: 'LlamaForCausalLM', opt: 'OPTForCausalLM' },
  maxBatchSize: 8,
  example: { input: 'Once upon a time', options: { maxNewTokens: 8 } },
});

/** What `llamaSkill` takes (zod 4): a prompt, or chat messages formatted with the model's chat template. */
export const llamaInputSchema = llamaSkill.schemas.input;
/** LLaMA's generation options (zod 4); `accel run llama --help` lists them as flags. */
export const llamaOptionsSchema = llamaSkill.schemas.options;
/** What `llamaSkill` returns (zod 4): `{ text, tokens, stopReason }`. */
export const llamaOutputSchema = llamaSkill.schemas.output;
