import { InvalidInputError, type PreparedRequest } from '@accel/core';
import type { AudioInput } from '@accel/core/media';
import { defaultTemplate, type ClapInput, type ClapOptions, type ClapTask } from './clap-schemas.js';

/** One batchable unit: an audio clip (with the prompts it is scored against) or a text. */
export type ClapItem =
  | {
      readonly kind: 'audio';
      readonly source: AudioInput;
      readonly index: number | undefined;
      /** Texts the clip is scored against: the texts (similarity) or the labels put into the template (classify). */
      readonly prompts: readonly string[];
      /** What each prompt stands for in the output: the text itself, or its label. */
      readonly labels: readonly string[];
    }
  | { readonly kind: 'text'; readonly text: string; readonly index: number | undefined };

function listOf<T>(value: T | readonly T[]): Array<{ value: T; index: number | undefined }> {
  return Array.isArray(value) ? (value as readonly T[]).map((entry, index) => ({ value: entry, index })) : [{ value: value as T, index: undefined }];
}

/**
 * Splits a validated request (the schemas checked every field) into items: one per clip (carrying
 * the texts it is scored against) and one per text. The task follows from which fields the input
 * has; the combinations that make no request are refused here.
 */
export function prepareClapRequest(input: ClapInput, options: ClapOptions | undefined): PreparedRequest<ClapItem> {
  const { audio, text, labels } = input;
  const template = options?.template;
  if (template !== undefined && labels === undefined) throw new InvalidInputError({ reason: 'template applies to zero-shot classification only: give labels too' });
  if (audio === undefined && text === undefined) throw new InvalidInputError({ reason: 'give audio, text, or both' });
  if (labels !== undefined && (audio === undefined || text !== undefined)) throw new InvalidInputError({ reason: 'labels go with audio and without text' });

  const texts = text === undefined ? [] : listOf<string>(text).map(({ value, index }) => ({ text: value, index }));
  const promptLabels = labels === undefined ? texts.map((entry) => entry.text) : [...labels];
  const prompts = labels === undefined ? promptLabels : promptLabels.map((label) => (template ?? defaultTemplate).replaceAll('{}', label));
  const clips = audio === undefined ? [] : listOf<AudioInput>(audio);
  const task: ClapTask = labels !== undefined ? 'classify' : audio === undefined ? 'embed-text' : text === undefined ? 'embed-audio' : 'similarity';
  const items: ClapItem[] = [
    ...clips.map(({ value, index }): ClapItem => ({ kind: 'audio', source: value, index, prompts, labels: promptLabels })),
    ...(task === 'similarity' || task === 'embed-text' ? texts.map((entry): ClapItem => ({ kind: 'text', text: entry.text, index: entry.index })) : []),
  ];
  return { task, items };
}
