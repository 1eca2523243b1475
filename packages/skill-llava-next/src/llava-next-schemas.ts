import { visionLanguageInputSchema, visionLanguageOptionsSchema, visionLanguageOutputSchema } from '@accel/transformers-kit';
import type { z } from 'zod';

/** One or more images at any resolution and a prompt (`<image>` placeholders optional): the kit's vision-language input. */
export const llavaNextInputSchema = visionLanguageInputSchema;
/** The kit's generation options (`maxNewTokens`, `temperature`, `topK`, `topP`, `repetitionPenalty`, `stop`, `seed`) and `applyChatTemplate`. */
export const llavaNextOptionsSchema = visionLanguageOptionsSchema;
/** The generated text, its token ids and why generation stopped. */
export const llavaNextOutputSchema = visionLanguageOutputSchema;

/** One or more images and a prompt (`<image>` placeholders optional). */
export type LlavaNextInput = z.input<typeof llavaNextInputSchema>;
/** Generation options and `applyChatTemplate`. */
export type LlavaNextOptions = z.input<typeof llavaNextOptionsSchema>;
/** The generated text, its token ids and why generation stopped. */
export type LlavaNextOutput = z.output<typeof llavaNextOutputSchema>;
