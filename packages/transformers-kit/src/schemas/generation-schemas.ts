import { z } from 'zod';
import { describeValue } from './text-schemas.js';

/** One chat message. */
export const chatMessageSchema = z.object(
  { role: z.enum(['system', 'user', 'assistant']), content: z.string() },
  { error: 'each chat message needs a role (system, user or assistant) and string content' },
);

/** A prompt, or a conversation to format with the model's chat template. */
export const promptSchema = z
  .union(
    [
      z.string().min(1, { error: 'the prompt is empty' }),
      z.array(chatMessageSchema).min(1, { error: 'the chat has no messages' }).readonly(),
    ],
    { error: (issue) => `expected a prompt string or an array of chat messages, got ${describeValue(issue.input)}` },
  )
  .describe('a prompt, or chat messages ({ role, content }) formatted with the chat template');

/**
 * Options every text-generating skill takes (greedy unless `temperature` > 0); a skill that takes
 * fewer picks fields with `.pick()`/`.omit()`, so a field means the same everywhere.
 */
export const generationOptionsShape = {
  maxNewTokens: z.int({ error: 'maxNewTokens must be a positive integer' }).positive({ error: 'maxNewTokens must be a positive integer' }).optional().describe('most tokens to generate (default 128)'),
  temperature: z.number().min(0, { error: 'temperature must be ≥ 0' }).optional().describe('0 (default) decodes greedily; above 0 samples with this temperature'),
  topK: z.int().min(0, { error: 'topK must be a non-negative integer' }).optional().describe('sample only among the K most likely tokens (0 = no limit)'),
  topP: z.number().gt(0, { error: 'topP must be in (0, 1]' }).max(1, { error: 'topP must be in (0, 1]' }).optional().describe('sample from the smallest set of tokens whose probability reaches P'),
  repetitionPenalty: z.number().gt(0, { error: 'repetitionPenalty must be > 0' }).optional().describe('penalty for tokens already generated (1 = none)'),
  stop: z.array(z.string().min(1), { error: 'stop must be an array of non-empty strings' }).readonly().optional().describe('stop before this text'),
  seed: z.int({ error: 'seed must be an integer' }).optional().describe('random seed for sampling: the same seed gives the same text'),
} as const;

/** All generation options, as one strict object. */
export const generationOptionsSchema = z.strictObject(generationOptionsShape);

/** What a generated text carries. */
export const generationResultShape = {
  text: z.string().describe('the generated text (without the prompt and without a stop string)'),
  tokens: z.array(z.int()).describe('the generated token ids'),
  stopReason: z.enum(['eos', 'length', 'stop-string', 'aborted']).describe('why generation stopped'),
} as const;
