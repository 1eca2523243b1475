import { audiosSchema, generationOptionsSchema, generationOptionsShape } from '@accel/transformers-kit';
import { z } from 'zod';
import { whisperLanguageCode, whisperLanguageCodes } from './languages.js';

/** One audio input (a file path, encoded bytes, or samples with their rate), or a non-empty list of them: one transcript each. */
export const whisperInputSchema = audiosSchema;

/** What a multilingual Whisper model does with the speech. */
export const whisperTaskSchema = z.enum(['transcribe', 'translate'], { error: (issue) => `task must be transcribe or translate, got ${JSON.stringify(issue.input)}` });

/**
 * Per-request options of the Whisper skill: the generation options without `stop` (a transcript
 * is stitched after its last window), the timestamps, and the language and task of multilingual models.
 */
export const whisperOptionsSchema = z.strictObject(
  {
    ...generationOptionsSchema.omit({ stop: true }).shape,
    maxNewTokens: generationOptionsShape.maxNewTokens.describe(
      "most tokens per 30-second window (default and upper bound: the model's max_target_positions less the prompt; a larger value is capped, with a provenance note)",
    ),
    returnTimestamps: z
      .boolean({ error: (issue) => `returnTimestamps must be a boolean, got ${typeof issue.input}` })
      .optional()
      .describe('return the transcript\'s segments with their start and end times, in seconds (default false)'),
    language: z
      .string({ error: (issue) => `language must be a string, got ${typeof issue.input}` })
      .refine((language) => whisperLanguageCode(language) !== undefined, {
        error: (issue) => `unknown language ${JSON.stringify(issue.input)}: Whisper knows ${whisperLanguageCodes.join(', ')} (or their English names)`,
      })
      .optional()
      .describe('multilingual models: the spoken language, as a code (fr), a name (french) or a token (<|fr|>); default English. An English-only model takes only English (en)'),
    prompt: z
      .string({ error: (issue) => `prompt must be a string, got ${typeof issue.input}` })
      .optional()
      .describe(
        "text that came before, to condition the decoder on (names, spellings, style): Whisper's previous-text prompt (<|startofprev|>), given to every 30-second window; its last max_target_positions ÷ 2 − 1 tokens are kept",
      ),
    task: whisperTaskSchema.optional().describe('multilingual models: transcribe (default) keeps the spoken language, translate writes English; an English-only model only transcribes'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' && issue.keys.includes('stop')
        ? 'whisper takes no stop strings: it decodes each 30-second window to its end (limit it with maxNewTokens)'
        : undefined,
  },
);

/** One segment of a transcript, with times in seconds from the start of the audio. */
export const whisperChunkSchema = z.object({
  text: z.string(),
  start: z.number().min(0),
  end: z.number().min(0),
});

/** The transcript of one audio input. */
export const whisperTranscriptSchema = z.object({
  text: z.string().describe('the whole text, trimmed'),
  chunks: z
    .array(whisperChunkSchema)
    .optional()
    .describe('with returnTimestamps: segments in order, not overlapping (start ≤ end ≤ next start)'),
  duration: z.number().min(0).describe('seconds of audio'),
  windows: z.int().positive().describe('30-second windows the audio was decoded in (consecutive windows overlap by 10 s)'),
  language: z.string().optional().describe('multilingual models: the language code given to the decoder'),
  task: whisperTaskSchema.optional().describe('multilingual models: the task given to the decoder'),
});

/** One transcript per audio input, in input order. */
export const whisperOutputSchema = z.object({
  transcripts: z.array(whisperTranscriptSchema).describe('one transcript per audio input, in input order'),
});

export type WhisperInput = z.input<typeof whisperInputSchema>;
export type WhisperOptions = z.input<typeof whisperOptionsSchema>;
export type WhisperOutput = z.output<typeof whisperOutputSchema>;
export type WhisperTask = z.output<typeof whisperTaskSchema>;
export type WhisperTranscript = z.output<typeof whisperTranscriptSchema>;
export type WhisperChunk = z.output<typeof whisperChunkSchema>;
