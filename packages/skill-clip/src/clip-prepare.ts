import { InvalidInputError, type PreparedRequest } from '@accel/core';
import type { ImageInput } from '@accel/core/media';
import { clipOptionsWithDefaults, type ClipInput, type ClipOptions } from './clip-schemas.js';

export type ClipTask = 'zero-shot-image-classification' | 'image-embedding' | 'text-embedding' | 'image-text-similarity';

/** One batchable unit: an image (with its position in the request's list, for error messages) or a text (a label's sentence for zero-shot). */
export type ClipItem =
  | { readonly kind: 'image'; readonly image: ImageInput; readonly index: number | undefined }
  | { readonly kind: 'text'; readonly text: string; readonly label?: string };

function listOf<T>(value: T | readonly T[]): { values: readonly T[]; single: boolean } {
  return Array.isArray(value) ? { values: value as readonly T[], single: false } : { values: [value as T], single: true };
}

/** The task an input asks for, from the fields it has. */
export function clipTaskOf(input: ClipInput): ClipTask {
  const { images, texts, labels } = input;
  if (labels !== undefined && texts !== undefined) throw new InvalidInputError({ reason: 'give either texts (similarity) or labels (zero-shot classification), not both' });
  if (labels !== undefined) {
    if (images === undefined) throw new InvalidInputError({ reason: 'zero-shot classification needs images as well as labels' });
    return 'zero-shot-image-classification';
  }
  if (images !== undefined && texts !== undefined) return 'image-text-similarity';
  if (images !== undefined) return 'image-embedding';
  if (texts !== undefined) return 'text-embedding';
  throw new InvalidInputError({ reason: 'expected an object with images, texts and/or labels' });
}

/**
 * Splits a validated request (the schema checked every field) into items: its images first, then
 * its texts, or its labels put into the template.
 */
export function prepareClipRequest(input: ClipInput, options: ClipOptions | undefined): PreparedRequest<ClipItem> {
  const task = clipTaskOf(input);
  const images: ClipItem[] = [];
  if (input.images !== undefined) {
    const { values, single } = listOf<ImageInput>(input.images);
    values.forEach((image, index) => images.push({ kind: 'image', image, index: single ? undefined : index }));
  }
  if (task === 'zero-shot-image-classification') {
    const { template } = clipOptionsWithDefaults(options);
    const labels = (input.labels ?? []).map((label): ClipItem => ({ kind: 'text', text: template.split('{}').join(label.trim()), label: label.trim() }));
    return { task, items: [...images, ...labels] };
  }
  const texts = input.texts === undefined ? [] : listOf<string>(input.texts).values.map((text): ClipItem => ({ kind: 'text', text }));
  return { task, items: [...images, ...texts] };
}
