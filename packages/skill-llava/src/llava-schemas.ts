import { visionLanguageInputSchema, visionLanguageOptionsSchema, visionLanguageOutputSchema } from '@accel/transformers-kit';
import type { z } from 'zod';

/** One or more images and a prompt (`<image>` placeholders optional): the kit's vision-language input. */
export const llavaInputSchema = visionLanguageInputSchema;
/** The kit's generation options (`maxNewTokens`, `temperature`, `topK`, `topP`, `repetitionPenalty`, `stop`, `seed`) and `applyChatTemplate`. */
export const llavaOptionsSchema = visionLanguageOptionsSchema;
/** The generated text, its token ids and why generation stopped. */
export const llavaOutputSchema = visionLanguageOutputSchema;

/** One or more images and a prompt (`<image>` placeholders optional). */
export type LlavaInput = z.input<typeof llavaInputSchema>;
/** Generation options and `applyChatTemplate`. */
export type LlavaOptions = z.input<typeof llavaOptionsSchema>;
/** The generated text, its token ids and why generation stopped. */
export type LlavaOutput = z.output<typeof llavaOutputSchema>;
