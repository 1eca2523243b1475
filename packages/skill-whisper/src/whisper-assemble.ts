import type { WhisperOutput, WhisperTranscript } from './whisper-schemas.js';

/** One transcript per audio input, in input order. */
export function assembleWhisperOutput(values: readonly WhisperTranscript[]): WhisperOutput {
  return { transcripts: [...values] };
}
