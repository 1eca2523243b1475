import { InvalidInputError, type PreparedRequest } from '@accel/core';
import { prepareTextInput } from '@accel/transformers-kit';
import { prepareAudioList } from '@accel/core/media';
import type { ClapItem, ClapOptions, ClapTask } from './clap-types.js';

/** transformers.js's zero-shot-audio-classification default. */
export const defaultTemplate = 'This is a sound of {}.';

const inputKeys = new Set(['audio', 'text', 'labels']);

function readLabels(value: unknown): string[] {
  if (!Array.isArray(value)) throw new InvalidInputError({ reason: `labels must be an array of strings, got ${value === null ? 'null' : typeof value}` });
  if (value.length === 0) throw new InvalidInputError({ reason: 'labels is empty' });
  const seen = new Set<string>();
  return value.map((label: unknown, index) => {
    if (typeof label !== 'string' || label.trim().length === 0) throw new InvalidInputError({ reason: `label ${index} must be a non-empty string` });
    if (seen.has(label)) throw new InvalidInputError({ reason: `label ${JSON.stringify(label)} is given twice` });
    seen.add(label);
    return label;
  });
}

function readTemplate(options: ClapOptions | undefined): string | undefined {
  const template = options?.template;
  if (template === undefined) return undefined;
  if (typeof template !== 'string' || !template.includes('{}')) throw new InvalidInputError({ reason: 'template must be a string containing {} where the label goes' });
  return template;
}

/**
 * Validates a CLAP request and splits it into items: one per clip (carrying the texts it is
 * scored against) and one per text. The task follows from which fields the input has.
 */
export function prepareClapInput(input: unknown, options: ClapOptions | undefined): PreparedRequest<ClapItem> {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || input instanceof Uint8Array) {
    throw new InvalidInputError({ reason: 'expected an object: { audio }, { text }, { audio, text } or { audio, labels }' });
  }
  const unknown = Object.keys(input).filter((key) => !inputKeys.has(key));
  if (unknown.length > 0) throw new InvalidInputError({ reason: `unknown input field ${unknown.join(', ')} (expected audio, text, labels)` });
  const { audio, text, labels } = input as Record<string, unknown>;
  const template = readTemplate(options);
  if (template !== undefined && labels === undefined) throw new InvalidInputError({ reason: 'template applies only to labels' });
  if (audio === undefined && text === undefined) throw new InvalidInputError({ reason: 'give audio, text, or both' });
  if (labels !== undefined && (audio === undefined || text !== undefined)) throw new InvalidInputError({ reason: 'labels go with audio and without text' });

  const texts = text === undefined ? [] : prepareTextInput(text, 'text').items.map((entry, position) => ({ text: entry, index: Array.isArray(text) ? position : undefined }));
  const promptLabels = labels === undefined ? texts.map((entry) => entry.text) : readLabels(labels);
  const prompts = labels === undefined ? promptLabels : promptLabels.map((label) => (template ?? defaultTemplate).replaceAll('{}', label));
  const clips = audio === undefined ? [] : prepareAudioList(audio);
  const task: ClapTask = labels !== undefined ? 'classify' : audio === undefined ? 'embed-text' : text === undefined ? 'embed-audio' : 'similarity';
  const items: ClapItem[] = [
    ...clips.map(({ source, index }): ClapItem => ({ kind: 'audio', source, index, prompts, labels: promptLabels })),
    ...(task === 'similarity' || task === 'embed-text' ? texts.map(({ text: entry, index }): ClapItem => ({ kind: 'text', text: entry, index })) : []),
  ];
  return { task, items };
}
