import { UnsupportedError, type SkillCapabilitiesV1, type TranscribeRequest } from '@accel/core';
import type { WhisperInput, WhisperOptions, WhisperOutput } from './whisper-schemas.js';

/** The Whisper options a standard transcription request becomes. */
function whisperOptionsFor({ task, language, prompt, temperature, timestamps }: TranscribeRequest): WhisperOptions {
  const word = timestamps.find((granularity) => granularity !== 'segment');
  if (word !== undefined) {
    throw new UnsupportedError({ feature: 'timestamp_granularities', message: `whisper gives segment timestamps only, not ${word} timestamps` });
  }
  return {
    ...(task === 'translate' ? { task } : {}),
    ...(language === undefined ? {} : { language }),
    ...(prompt === undefined ? {} : { prompt }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(timestamps.includes('segment') ? { returnTimestamps: true } : {}),
  };
}

/**
 * Whisper serves transcription and translation, with segment timestamps (no word timestamps).
 * The transcript's language is the one the text is in: English for a translation and for an
 * English-only model (whose output names no language), else the language given to the decoder
 * (English unless the request names one: accel does not detect the spoken language).
 */
export const whisperCapabilities: SkillCapabilitiesV1<WhisperInput, WhisperOutput, WhisperOptions> = {
  transcribe: {
    tasks: ['transcribe', 'translate'],
    granularities: ['segment'],
    request: (request) => ({ input: request.audio, options: whisperOptionsFor(request) }),
    transcript(output) {
      const [transcript] = output.transcripts;
      if (transcript === undefined) throw new Error('whisper returned no transcript');
      return {
        text: transcript.text,
        duration: transcript.duration,
        language: transcript.task === 'translate' ? 'en' : (transcript.language ?? 'en'),
        ...(transcript.chunks === undefined ? {} : { segments: transcript.chunks.map(({ text, start, end }) => ({ text, start, end })) }),
      };
    },
  },
};
