import type { WhisperTask } from './whisper-options.js';

/** One segment of a transcript, with times in seconds from the start of the audio. */
export interface WhisperChunk {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** The transcript of one audio input. */
export interface WhisperTranscript {
  /** The whole text, trimmed. */
  readonly text: string;
  /** Segments in order, not overlapping (`start` ≤ `end` ≤ next `start`); only with `returnTimestamps`. */
  readonly chunks?: readonly WhisperChunk[];
  /** Seconds of audio. */
  readonly duration: number;
  /** 30-second windows the audio was decoded in (consecutive windows overlap by 10 s). */
  readonly windows: number;
  /** Language code given to the decoder; multilingual models only. */
  readonly language?: string;
  /** Task given to the decoder; multilingual models only. */
  readonly task?: WhisperTask;
}

/** One transcript per audio input, in input order. */
export interface WhisperOutput {
  readonly transcripts: WhisperTranscript[];
}
