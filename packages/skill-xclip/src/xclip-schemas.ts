import { instanceOfSchema, labelsSchema, labelTemplateSchema, textsSchema, videoSchema } from '@accel/transformers-kit';
import { z } from 'zod';


/**
 * An X-CLIP request. The fields present pick the task: `video`/`videos` → video embeddings,
 * `texts` → text embeddings, `video`/`videos` + `labels` → zero-shot video classification. Which
 * combinations are allowed is checked by `prepareXclipRequest`, with messages that say why.
 */
export const xclipInputSchema = z
  .strictObject(
    {
      video: videoSchema.optional().describe('one video: a folder of frame images, a video file (needs ffmpeg) or its frames in order'),
      videos: z
        .array(videoSchema)
        .min(1, { error: 'the videos list is empty' })
        .readonly()
        .optional()
        .describe('several videos, each like video'),
      texts: textsSchema.optional().describe('texts to embed with the text tower'),
      labels: labelsSchema.optional().describe('zero-shot classification: the candidate labels (with video or videos)'),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field ${issue.keys.join(', ')} (expected video or videos, texts and/or labels; options go in the second argument)`
          : `expected an object with video or videos, texts and/or labels, got ${issue.input === null ? 'null' : Array.isArray(issue.input) ? 'an array' : typeof issue.input}`,
    },
  )
  .describe('video or videos, texts and/or labels');


export const defaultXclipTemplate = '{}';

/** Per-request options of the X-CLIP skill. */
export const xclipOptionsSchema = z.strictObject({
  template: labelTemplateSchema.optional().describe(`zero-shot classification: the sentence each label goes into, {} marks the label (default "${defaultXclipTemplate}": the label as is)`),
  normalize: z
    .boolean({ error: (issue) => `normalize must be a boolean, got ${typeof issue.input}` })
    .optional()
    .describe('embedding tasks: scale each embedding to unit length (default true; false gives the raw projections)'),
});

const embeddingsSchema = z.array(instanceOfSchema<Float32Array>(Float32Array, 'a Float32Array'));

/** What an X-CLIP request returns, by task. */
export const xclipOutputSchema = z.discriminatedUnion('task', [
  z.object({
    task: z.enum(['video-embedding', 'text-embedding']),
    embeddings: embeddingsSchema.describe('one embedding per input, in order'),
    dimensions: z.int().nonnegative().describe("length of each embedding (the model's projection_dim)"),
  }),
  z.object({
    task: z.literal('zero-shot-video-classification'),
    classifications: z
      .array(z.array(z.object({ label: z.string(), score: z.number().min(0).max(1) })))
      .describe('per video: every label with its probability, most likely first; the scores sum to 1'),
  }),
]);

export type XclipInput = z.input<typeof xclipInputSchema>;
export type XclipOptions = z.input<typeof xclipOptionsSchema>;
export type XclipOutput = z.output<typeof xclipOutputSchema>;

/** One video (`video`: a folder of frames, a video file, or an ordered list of frames) or several (`videos`). */
export type XclipVideos = Required<Pick<XclipInput, 'video'>> | Required<Pick<XclipInput, 'videos'>>;
/** Task `video-embedding`: one embedding per video. */
export type XclipVideoEmbeddingInput = XclipVideos;
/** Task `text-embedding`: one embedding per text (X-CLIP's text tower, before any video-specific prompting). */
export type XclipTextEmbeddingInput = Required<Pick<XclipInput, 'texts'>>;
/** Task `zero-shot-video-classification`: a probability per label for every video (labels go into the `template` option). */
export type XclipZeroShotInput = XclipVideos & Required<Pick<XclipInput, 'labels'>>;

/** `video-embedding` and `text-embedding`: one embedding per input, in order. */
export type XclipEmbeddingOutput = Extract<XclipOutput, { task: 'video-embedding' | 'text-embedding' }>;
/** `zero-shot-video-classification`: for each video, every label with its probability, most likely first. */
export type XclipZeroShotOutput = Extract<XclipOutput, { task: 'zero-shot-video-classification' }>;
/** A label and its probability. */
export type XclipClassification = XclipZeroShotOutput['classifications'][number][number];

/** Options with their defaults filled in. */
export function xclipOptionsWithDefaults(options: XclipOptions | undefined): Required<XclipOptions> {
  return { template: options?.template ?? defaultXclipTemplate, normalize: options?.normalize ?? true };
}
