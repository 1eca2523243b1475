import { z } from 'zod';
import { generationOptionsSchema, generationResultShape, promptSchema } from '../../schemas/generation-schemas.js';

/** What a text-generation skill takes: a prompt, or chat messages formatted with the model's chat template. */
export const textGenerationInputSchema = promptSchema;

/** Per-request options of a text-generation skill: every generation option (greedy unless `temperature` > 0). */
export const textGenerationOptionsSchema = generationOptionsSchema;

/** What one prompt generated. */
export const textGenerationOutputSchema = z.object(generationResultShape);
