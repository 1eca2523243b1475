import { defineTextGenerationSkill, type TextGenerationOptions } from '@accel/transformers-kit';

/** Per-request options of the LLaMA skill: core's generation options (`maxNewTokens`, `temperature`, `topK`, `topP`, `repetitionPenalty`, `stop`, `seed`). */
export type LlamaOptions = TextGenerationOptions;

/**
 * LLaMA-family and OPT text generation (LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM,
 * OPTForCausalLM): a prompt or a chat
 * (formatted with the model's chat template) in, generated text out; greedy unless `temperature`
 * > 0, seeded sampling, stop strings, streaming through `accel.stream()`.
 */
export const llamaSkill = defineTextGenerationSkill({
  name: 'llama',
  packageName: '@accel/skill-llama',
  exportName: 'llamaSkill',
  description: 'LLaMA-family (llama, qwen2, mistral) and OPT text generation (causal LM) with streaming',
  defaultModel: 'Xenova/opt-125m',
  // Each model_type is run by a test on a forged model of that type (test/model-types.test.ts, test/generation.test.ts).
  modelClasses: { llama: 'LlamaForCausalLM', opt: 'OPTForCausalLM', qwen2: 'Qwen2ForCausalLM', mistral: 'MistralForCausalLM' },
  maxBatchSize: 8,
  example: { input: 'Once upon a time', options: { maxNewTokens: 8 } },
});

/** What `llamaSkill` takes (zod 4): a prompt, or chat messages formatted with the model's chat template. */
export const llamaInputSchema = llamaSkill.schemas.input;
/** LLaMA's generation options (zod 4); `accel run llama --help` lists them as flags. */
export const llamaOptionsSchema = llamaSkill.schemas.options;
/** What `llamaSkill` returns (zod 4): `{ text, tokens, stopReason }`. */
export const llamaOutputSchema = llamaSkill.schemas.output;
