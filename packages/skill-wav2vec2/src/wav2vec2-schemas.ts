import { audiosSchema, instanceOfSchema } from '@accel/transformers-kit';
import { z } from 'zod';

/** One audio clip (a file path, encoded bytes, or `{ samples, sampleRate }`), or a non-empty list of them: one result each. */
export const wav2vec2InputSchema = audiosSchema;

/** Defaults: 20 s windows with 2.5 s of context at each inner edge, i.e. 15 s of new audio per chunk. */
export const wav2vec2Defaults = { chunkLengthSeconds: 20, strideLengthSeconds: 2.5 } as const;

/** Smallest stretch of new audio a chunk may decode. */
const minimumStepSeconds = 0.5;

/** `transcribe` (default): CTC speech recognition. `embed`: one vector per clip. */
export const wav2vec2TaskSchema = z.enum(['transcribe', 'embed'], { error: (issue) => `task must be one of transcribe, embed, got ${String(issue.input)}` });

function positiveSeconds(name: string) {
  const error = (issue: { input?: unknown }) => `${name} must be a positive number of seconds, got ${String(issue.input)}`;
  return z.number({ error }).positive({ error });
}

/** Per-request options of the wav2vec2 skill. */
export const wav2vec2OptionsSchema = z
  .strictObject({
    task: wav2vec2TaskSchema.optional().describe('transcribe (default): CTC speech recognition; embed: one vector per clip (the mean of the last hidden states)'),
    timestamps: z
      .boolean({ error: (issue) => `timestamps must be a boolean, got ${typeof issue.input}` })
      .optional()
      .describe('also return each word with its start and end time in seconds (transcribe only; default false)'),
    chunkLengthSeconds: positiveSeconds('chunkLengthSeconds')
      .optional()
      .describe(`longest audio run in one pass; longer audio is cut into overlapping chunks this long (default ${wav2vec2Defaults.chunkLengthSeconds} s)`),
    strideLengthSeconds: positiveSeconds('strideLengthSeconds')
      .optional()
      .describe(`context on each inner side of a chunk: run, but decoded by the neighbouring chunk (default ${wav2vec2Defaults.strideLengthSeconds} s)`),
  })
  .refine((options) => !(options.timestamps === true && options.task !== undefined && options.task !== 'transcribe'), { error: 'timestamps apply to the transcribe task only' })
  .refine(
    // Lengths that are not positive have their own message, from their field.
    ({ chunkLengthSeconds = wav2vec2Defaults.chunkLengthSeconds, strideLengthSeconds = wav2vec2Defaults.strideLengthSeconds }) =>
      !(chunkLengthSeconds > 0 && strideLengthSeconds > 0) || chunkLengthSeconds - 2 * strideLengthSeconds >= minimumStepSeconds,
    {
      error: (issue) => {
        const { chunkLengthSeconds = wav2vec2Defaults.chunkLengthSeconds, strideLengthSeconds = wav2vec2Defaults.strideLengthSeconds } = issue.input as { chunkLengthSeconds?: number; strideLengthSeconds?: number };
        return `chunkLengthSeconds (${chunkLengthSeconds}) must exceed twice strideLengthSeconds (${strideLengthSeconds}) by at least ${minimumStepSeconds} s`;
      },
    },
  );

/** A word of a transcript and when it is spoken, in seconds from the start of the clip. */
export const wav2vec2WordSchema = z.object({ text: z.string(), start: z.number().min(0), end: z.number().min(0) });

/** The transcript of one clip. */
export const wav2vec2TranscriptionSchema = z.object({
  text: z.string().describe('the transcript'),
  duration: z.number().min(0).describe('seconds of audio'),
  chunks: z.int().positive().describe('how many chunks the clip was run in (1 when it fits one pass)'),
  words: z.array(wav2vec2WordSchema).optional().describe('with timestamps: each word and when it is spoken'),
});

/** What the embedding is the mean of: the transformer's hidden states, or the CTC logits when the graph has no hidden-state output. */
export const wav2vec2EmbeddingSourceSchema = z.enum(['last_hidden_state', 'logits']);

/** One result per input clip, in input order. */
export const wav2vec2OutputSchema = z.discriminatedUnion('task', [
  z.object({
    task: z.literal('transcribe'),
    transcriptions: z.array(wav2vec2TranscriptionSchema).describe('one transcript per clip, in order'),
  }),
  z.object({
    task: z.literal('embed'),
    embeddings: z.array(instanceOfSchema<Float32Array>(Float32Array, 'a Float32Array')).describe('one embedding per clip, in order'),
    dimensions: z.int().min(0).describe('length of each embedding'),
    source: wav2vec2EmbeddingSourceSchema.describe('what the embedding is the mean of'),
  }),
]);

export type Wav2Vec2Input = z.input<typeof wav2vec2InputSchema>;
export type Wav2Vec2Options = z.input<typeof wav2vec2OptionsSchema>;
export type Wav2Vec2Output = z.output<typeof wav2vec2OutputSchema>;
export type Wav2Vec2Task = z.output<typeof wav2vec2TaskSchema>;
export type Wav2Vec2Word = z.output<typeof wav2vec2WordSchema>;
export type Wav2Vec2Transcription = z.output<typeof wav2vec2TranscriptionSchema>;
export type Wav2Vec2EmbeddingSource = z.output<typeof wav2vec2EmbeddingSourceSchema>;
