import type { AudioInput } from '@accel/core/media';
import { prepareAudioList } from '@accel/core/media';
import type { WhisperSettings } from './whisper-options.js';

/** One audio input (a file path, encoded bytes, or samples with their rate), or a non-empty list of them. */
export type WhisperInput = AudioInput | readonly AudioInput[];

/** One audio input and its request's settings: the unit the scheduler batches. */
export interface WhisperItem {
  readonly audio: AudioInput;
  /** Position in the request's list, when the input was a list. */
  readonly index: number | undefined;
  readonly settings: WhisperSettings;
}

/** Splits a request into one item per audio input. Audio is decoded later, so a bad file fails only its own item. */
export function prepareWhisperInput(input: unknown, settings: WhisperSettings): WhisperItem[] {
  return prepareAudioList(input).map(({ source, index }) => ({ audio: source, index, settings }));
}
