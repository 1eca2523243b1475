import { describeValue, generationOptionsSchema, generationResultShape } from '@accel/transformers-kit';
import { z } from 'zod';

const noChat = 'T5 takes one prompt string with its task prefix (e.g. "translate English to German: …"); it has no chat template';

/** One prompt, with T5's task prefix, e.g. `"translate English to German: the house is small"`. */
export const t5InputSchema = z
  .string({ error: (issue) => (Array.isArray(issue.input) ? noChat : `expected a prompt string, got ${describeValue(issue.input)}`) })
  .refine((prompt) => prompt.trim().length > 0, { error: (issue) => (issue.input === '' ? 'the prompt is empty' : 'the prompt is blank') })
  .describe('one prompt with its task prefix, e.g. "translate English to German: the house is small"');

/** Per-request options: the kit's generation options (greedy unless `temperature` > 0). */
export const t5OptionsSchema = generationOptionsSchema;

/** The generated text, cut before a stop string, and why generation stopped. */
export const t5OutputSchema = z.object({ text: generationResultShape.text, stopReason: generationResultShape.stopReason });

/** One prompt, with T5's task prefix. */
export type T5Input = z.input<typeof t5InputSchema>;
/** Per-request options: the kit's generation options. */
export type T5Options = z.input<typeof t5OptionsSchema>;
/** The generated text, cut before a stop string, and why generation stopped. */
export type T5Output = z.output<typeof t5OutputSchema>;
