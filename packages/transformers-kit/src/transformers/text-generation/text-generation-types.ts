import type { z } from 'zod';
import type { ResolvedGenerationOptions } from '../../generation/generation-options.js';
import type { TextGenerationInput } from '../../generation/chat.js';
import type { textGenerationOptionsSchema, textGenerationOutputSchema } from './text-generation-schemas.js';

/** Per-request options of a text-generation skill: the kit's generation options. Greedy unless `temperature` > 0. */
export type TextGenerationOptions = z.input<typeof textGenerationOptionsSchema>;

/**
 * What one prompt generated: the text (the prompt is not repeated, cut before a stop string), the
 * generated token ids (without the end-of-sequence token) and why generation stopped (`eos`,
 * `length` — maxNewTokens or the context was reached —, `stop-string` or `aborted`).
 */
export type TextGenerationOutput = z.output<typeof textGenerationOutputSchema>;

/** One prompt or chat with its resolved options: the unit the scheduler batches. */
export interface TextGenerationItem {
  readonly input: TextGenerationInput;
  readonly options: ResolvedGenerationOptions;
}
