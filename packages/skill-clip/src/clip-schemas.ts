import { imagesSchema, instanceOfSchema, labelsSchema, labelTemplateSchema, textsSchema } from '@accel/transformers-kit/encoders';
import { z } from 'zod';

/**
 * A CLIP request. The fields present pick the task: `images` → image embeddings, `texts` → text
 * embeddings, `images` + `texts` → similarity, `images` + `labels` → zero-shot classification.
 * Which combinations are allowed is checked by `prepareClipRequest`, with messages that say why.
 */
export const clipInputSchema = z
  .strictObject(
    {
      images: imagesSchema.optional(),
      texts: textsSchema.optional(),
      labels: labelsSchema.optional().describe('zero-shot classification: the candidate labels (with images)'),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'expected an object with images, texts and/or labels') },
  )
  .describe('images, texts and/or labels');

export const defaultClipTemplate = 'a photo of a {}.';
export const defaultClipLogitScale = 100;

/** Per-request options of the CLIP skill. */
export const clipOptionsSchema = z.strictObject({
  template: labelTemplateSchema
    .optional()
    .describe(`zero-shot classification: the sentence each label goes into, {} marks the label (default "${defaultClipTemplate}")`),
  normalize: z.boolean().optional().describe('embedding tasks: scale each embedding to unit length (default true)'),
  logitScale: z.number().positive().optional().describe(`zero-shot classification: the factor on cosine similarities before the softmax (default ${defaultClipLogitScale})`),
});

const embeddingsSchema = z.array(instanceOfSchema<Float32Array>(Float32Array, 'a Float32Array'));

/** What a CLIP request returns, by task. */
export const clipOutputSchema = z.discriminatedUnion('task', [
  z.object({
    task: z.enum(['image-embedding', 'text-embedding']),
    embeddings: embeddingsSchema.describe('one embedding per input, in order'),
    dimensions: z.int().positive().describe("length of each embedding (the model's projection_dim)"),
  }),
  z.object({
    task: z.literal('image-text-similarity'),
    similarities: z.array(z.array(z.number().min(-1 - 1e-6).max(1 + 1e-6))).describe('similarities[image][text]: cosine similarity in [-1, 1]'),
  }),
  z.object({
    task: z.literal('zero-shot-image-classification'),
    classifications: z.array(z.array(z.object({ label: z.string(), score: z.number().min(0).max(1) }))).describe('per image: every label with its probability, most likely first'),
  }),
]);

export type ClipInput = z.input<typeof clipInputSchema>;
export type ClipOptions = z.input<typeof clipOptionsSchema>;
export type ClipOutput = z.output<typeof clipOutputSchema>;

/** Options with their defaults filled in. */
export function clipOptionsWithDefaults(options: ClipOptions | undefined): Required<ClipOptions> {
  return { template: options?.template ?? defaultClipTemplate, normalize: options?.normalize ?? true, logitScale: options?.logitScale ?? defaultClipLogitScale };
}

export type ClipEmbeddingOutput = Extract<ClipOutput, { task: 'image-embedding' | 'text-embedding' }>;
export type ClipSimilarityOutput = Extract<ClipOutput, { task: 'image-text-similarity' }>;
export type ClipZeroShotOutput = Extract<ClipOutput, { task: 'zero-shot-image-classification' }>;
export type ClipClassification = ClipZeroShotOutput['classifications'][number][number];
