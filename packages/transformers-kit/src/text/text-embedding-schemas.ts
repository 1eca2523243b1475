import { z } from 'zod';
import { instanceOfSchema } from '../schemas/media-schemas.js';
import { describeValue, textsSchema } from '../schemas/text-schemas.js';
import type { TextPooling } from './text-embedding-model.js';

/** What a text-embedding skill takes: one text, or a non-empty list of texts (one embedding each). */
export const textEmbeddingInputSchema = textsSchema;

const poolings = ['mean', 'cls'] as const satisfies readonly TextPooling[];

/** Per-request options of a text-embedding skill, with the skill's own defaults in the descriptions. */
export function textEmbeddingOptionsSchema(defaults: { readonly pooling: TextPooling; readonly normalize: boolean }) {
  return z.strictObject({
    pooling: z
      .enum(poolings, { error: (issue) => `pooling must be one of ${poolings.join(', ')}, got ${String(issue.input)}` })
      .optional()
      .describe(`mean: average over real tokens; cls: the first token's hidden state (default ${defaults.pooling})`),
    normalize: z
      .boolean({ error: (issue) => `normalize must be a boolean, got ${describeValue(issue.input)}` })
      .optional()
      .describe(`scale each embedding to unit length (default ${String(defaults.normalize)})`),
  });
}

/** One embedding per input text, in input order. */
export const textEmbeddingOutputSchema = z.object({
  embeddings: z.array(instanceOfSchema<Float32Array>(Float32Array, 'a Float32Array')).describe('one embedding per input text, in input order'),
  dimensions: z.int().positive().describe("length of each embedding (the model's hidden size)"),
});

/** One text, or a non-empty list of texts. */
export type TextInput = z.input<typeof textEmbeddingInputSchema>;
/** Per-request options of text-embedding skills. */
export type TextEmbeddingOptions = z.input<ReturnType<typeof textEmbeddingOptionsSchema>>;
/** One embedding per input text, in input order. */
export type EmbeddingOutput = z.output<typeof textEmbeddingOutputSchema>;
