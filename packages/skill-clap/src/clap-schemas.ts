import { audiosSchema, describeValue, instanceOfSchema, nonEmptyTextSchema, textsSchema } from '@accel/transformers-kit';
import { z } from 'zod';

/** transformers.js's zero-shot-audio-classification default. */
export const defaultTemplate = 'This is a sound of {}.';

/** The first label given twice, if any (exact comparison: labels are put into the template as given). */
function repeatedLabel(labels: readonly string[]): string | undefined {
  return labels.find((label, index) => labels.indexOf(label) !== index);
}

/**
 * A CLAP request. What it holds picks the task:
 * - `{ audio }` → `embed-audio`: one embedding per clip;
 * - `{ text }` → `embed-text`: one embedding per text;
 * - `{ audio, text }` → `similarity`: both embeddings and the clip × text similarity matrix;
 * - `{ audio, labels }` → `classify`: zero-shot classification of each clip over the labels.
 * Which combinations are allowed is checked by `prepareClapRequest`, with messages that say why.
 */
export const clapInputSchema = z
  .strictObject(
    {
      audio: audiosSchema.optional(),
      text: textsSchema.optional(),
      labels: z
        .array(nonEmptyTextSchema, { error: (issue) => `labels must be an array of strings, got ${describeValue(issue.input)}` })
        .min(1, { error: 'labels is empty' })
        .refine((labels) => repeatedLabel(labels) === undefined, { error: (issue) => `label ${JSON.stringify(repeatedLabel(issue.input as string[]))} is given twice` })
        .readonly()
        .optional()
        .describe('zero-shot classification: the candidate labels (with audio), each put into the template'),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown input field ${issue.keys.join(', ')} (expected audio, text, labels)`
          : 'expected an object: { audio }, { text }, { audio, text } or { audio, labels }',
    },
  )
  .describe('audio, text and/or labels');

/** Per-request options of the CLAP skill. */
export const clapOptionsSchema = z.strictObject({
  template: z
    .string({ error: 'template must be a string containing {} where the label goes' })
    .refine((template) => template.includes('{}'), { error: 'template must contain {} where the label goes' })
    .optional()
    .describe(`zero-shot classification: the sentence each label goes into, every {} is replaced by the label (default "${defaultTemplate}")`),
});

const embeddingsSchema = z.array(instanceOfSchema<Float32Array>(Float32Array, 'a Float32Array'));
const dimensionsSchema = z.int().min(0).describe('length of each embedding');

/** One label's probability. */
export const clapScoreSchema = z.object({ label: z.string(), score: z.number().min(0).max(1) });

/** Zero-shot result for one clip: the best label, and every label's probability, best first (they sum to 1). */
export const clapClassificationSchema = z.object({
  label: z.string().describe('the most likely label'),
  score: z.number().min(0).max(1).describe('its probability'),
  scores: z.array(clapScoreSchema).describe('every label with its probability, most likely first'),
});

/** The result of one request; which fields it has follows from the task. Embeddings are L2-normalised. */
export const clapOutputSchema = z.discriminatedUnion('task', [
  z.object({ task: z.literal('classify'), classifications: z.array(clapClassificationSchema).describe('one per clip, in order') }),
  z.object({ task: z.literal('embed-audio'), audioEmbeddings: embeddingsSchema.describe('one per clip, in order'), dimensions: dimensionsSchema }),
  z.object({ task: z.literal('embed-text'), textEmbeddings: embeddingsSchema.describe('one per text, in order'), dimensions: dimensionsSchema }),
  z.object({
    task: z.literal('similarity'),
    audioEmbeddings: embeddingsSchema.describe('one per clip, in order'),
    textEmbeddings: embeddingsSchema.describe('one per text, in order'),
    dimensions: dimensionsSchema,
    similarity: z.array(z.array(z.number())).describe('similarity[clip][text]: cosine similarity of their embeddings'),
    logits: z.array(z.array(z.number())).describe("the model's logits_per_audio: the similarity times the model's learned logit scale"),
  }),
]);

export type ClapInput = z.input<typeof clapInputSchema>;
export type ClapOptions = z.input<typeof clapOptionsSchema>;
export type ClapOutput = z.output<typeof clapOutputSchema>;
/** One audio clip (a file path, encoded bytes, or `{ samples, sampleRate }`), or a non-empty list of them. */
export type ClapAudio = z.input<typeof audiosSchema>;
/** The tasks a CLAP request can be. */
export type ClapTask = ClapOutput['task'];
export type ClapScore = z.output<typeof clapScoreSchema>;
export type ClapClassification = z.output<typeof clapClassificationSchema>;
