import { InvalidInputError } from '@accel/core';
import { type GenerationOptions, resolveGenerationOptions, type ResolvedGenerationOptions } from '@accel/transformers-kit';
import { whisperLanguageCode, whisperLanguageCodes } from './languages.js';

/** What a multilingual Whisper model does with the speech. */
export type WhisperTask = 'transcribe' | 'translate';

/** Per-request options of the Whisper skill. */
export interface WhisperOptions extends Omit<GenerationOptions, 'stop'> {
  /** Return the transcript's segments with their start and end times, in seconds. Default false. */
  readonly returnTimestamps?: boolean;
  /**
   * The spoken language, as a code (`fr`), a name (`french`) or a token (`<|fr|>`). Multilingual
   * models only; default English. An English-only model refuses it.
   */
  readonly language?: string;
  /** `transcribe` (default) keeps the spoken language; `translate` writes English. Multilingual models only. */
  readonly task?: WhisperTask;
}

/** The options of one request, checked and with defaults filled in. */
export interface WhisperSettings {
  readonly returnTimestamps: boolean;
  /** A Whisper language code, when the request named one. */
  readonly language: string | undefined;
  readonly task: WhisperTask | undefined;
  readonly generation: ResolvedGenerationOptions;
  /** False when `maxNewTokens` was left to its default: the model's whole target length is used. */
  readonly maxNewTokensGiven: boolean;
}

const tasks: readonly WhisperTask[] = ['transcribe', 'translate'];

/** Validates a request's options before any work is done. Every problem is an `InvalidInputError`. */
export function resolveWhisperOptions(options: WhisperOptions | undefined): WhisperSettings {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidInputError({ reason: `options must be an object, got ${options === null ? 'null' : typeof options}` });
  }
  const { returnTimestamps = false, language, task, ...generationOptions } = options ?? {};
  if ('stop' in generationOptions) {
    throw new InvalidInputError({ reason: 'whisper takes no stop strings: it decodes each 30-second window to its end (limit it with maxNewTokens)' });
  }
  if (typeof returnTimestamps !== 'boolean') throw new InvalidInputError({ reason: `returnTimestamps must be a boolean, got ${typeof returnTimestamps}` });
  let languageCode: string | undefined;
  if (language !== undefined) {
    if (typeof language !== 'string') throw new InvalidInputError({ reason: `language must be a string, got ${typeof language}` });
    languageCode = whisperLanguageCode(language);
    if (languageCode === undefined) {
      throw new InvalidInputError({ reason: `unknown language "${language}": Whisper knows ${whisperLanguageCodes.join(', ')} (or their English names)` });
    }
  }
  if (task !== undefined && !tasks.includes(task)) {
    throw new InvalidInputError({ reason: `task must be transcribe or translate, got ${JSON.stringify(task)}` });
  }
  return {
    returnTimestamps,
    language: languageCode,
    task,
    generation: resolveGenerationOptions(generationOptions),
    maxNewTokensGiven: generationOptions.maxNewTokens !== undefined,
  };
}

