import type { PreparedRequest } from '@accel/core';
import type { AudioInput } from '@accel/core/media';
import { resolveGenerationOptions, type ResolvedGenerationOptions } from '@accel/transformers-kit';
import { whisperLanguageCode } from './languages.js';
import type { WhisperInput, WhisperOptions, WhisperTask } from './whisper-schemas.js';

/** The options of one request, with defaults filled in (the options schema has checked them). */
export interface WhisperSettings {
  readonly returnTimestamps: boolean;
  /** A Whisper language code, when the request named one. */
  readonly language: string | undefined;
  readonly task: WhisperTask | undefined;
  /** Text the decoder is conditioned on (Whisper's previous-text prompt), when the request gave one. */
  readonly prompt: string | undefined;
  readonly generation: ResolvedGenerationOptions;
  /** False when `maxNewTokens` was left to its default: the model's whole target length is used. */
  readonly maxNewTokensGiven: boolean;
}

/** One audio input and its request's settings: the unit the scheduler batches. */
export interface WhisperItem {
  readonly audio: AudioInput;
  /** Position in the request's list, when the input was a list. */
  readonly index: number | undefined;
  readonly settings: WhisperSettings;
}

/** A request's settings from its validated options: the language as its code, defaults filled in. */
export function whisperSettingsOf(options: WhisperOptions | undefined): WhisperSettings {
  const { returnTimestamps = false, language, task, prompt, ...generation } = options ?? {};
  return {
    returnTimestamps,
    language: language === undefined ? undefined : whisperLanguageCode(language),
    task,
    prompt,
    generation: resolveGenerationOptions(generation),
    maxNewTokensGiven: generation.maxNewTokens !== undefined,
  };
}

/**
 * Splits a validated request (the schemas checked the audio inputs and the options) into one item
 * per audio input. Audio is decoded later, in `run`, so a bad file fails only its own item.
 */
export function prepareWhisperRequest(input: WhisperInput, options: WhisperOptions | undefined): PreparedRequest<WhisperItem> {
  const settings = whisperSettingsOf(options);
  const items = Array.isArray(input)
    ? (input as readonly AudioInput[]).map((audio, index): WhisperItem => ({ audio, index, settings }))
    : [{ audio: input as AudioInput, index: undefined, settings }];
  return { task: settings.task ?? 'transcribe', items };
}
