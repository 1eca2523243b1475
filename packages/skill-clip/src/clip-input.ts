import { InvalidInputError, type PreparedRequest } from '@accel/core';
import { prepareTextInput } from '@accel/transformers-kit';
import type { ImageInput } from '@accel/core/media';
import { validateImageInput } from '@accel/core/media';
import { readClipOptions, type ClipOptions } from './clip-options.js';

/** One image or a list of images: file paths, encoded bytes (PNG, JPEG, WebP, …) or raw pixels. */
export type ClipImages = ImageInput | readonly ImageInput[];
/** One text or a list of texts. */
export type ClipTexts = string | readonly string[];

/** Task `image-embedding`: one embedding per image. */
export interface ClipImageEmbeddingInput {
  readonly images: ClipImages;
}

/** Task `text-embedding`: one embedding per text. */
export interface ClipTextEmbeddingInput {
  readonly texts: ClipTexts;
}

/** Task `image-text-similarity`: the cosine similarity of every image with every text. */
export interface ClipSimilarityInput {
  readonly images: ClipImages;
  readonly texts: ClipTexts;
}

/** Task `zero-shot-image-classification`: a probability per label for every image (labels go into the `template` option). */
export interface ClipZeroShotInput {
  readonly images: ClipImages;
  readonly labels: readonly string[];
}

/**
 * A CLIP request. The fields present pick the task: `images` → image embeddings, `texts` → text
 * embeddings, `images` + `texts` → similarity, `images` + `labels` → zero-shot classification.
 */
export type ClipInput = ClipImageEmbeddingInput | ClipTextEmbeddingInput | ClipSimilarityInput | ClipZeroShotInput;

export type ClipTask = 'zero-shot-image-classification' | 'image-embedding' | 'text-embedding' | 'image-text-similarity';

/** One batchable unit: an image (with its position in the request's list, for error messages) or a text (a label's sentence for zero-shot). */
export type ClipItem =
  | { readonly kind: 'image'; readonly image: ImageInput; readonly index: number | undefined }
  | { readonly kind: 'text'; readonly text: string; readonly label?: string };

function readImages(value: unknown): ClipItem[] {
  if (!Array.isArray(value)) {
    validateImageInput(value, undefined);
    return [{ kind: 'image', image: value, index: undefined }];
  }
  if (value.length === 0) throw new InvalidInputError({ reason: 'the images list is empty' });
  return value.map((image: unknown, index): ClipItem => {
    validateImageInput(image, index);
    return { kind: 'image', image, index };
  });
}

function readLabels(value: unknown): string[] {
  if (!Array.isArray(value)) throw new InvalidInputError({ reason: 'labels must be an array of strings' });
  if (value.length === 0) throw new InvalidInputError({ reason: 'the labels list is empty' });
  const seen = new Set<string>();
  return value.map((label: unknown, index) => {
    if (typeof label !== 'string' || label.trim().length === 0) {
      throw new InvalidInputError({ reason: `label ${index} must be a non-empty string, got ${JSON.stringify(label) ?? typeof label}` });
    }
    const trimmed = label.trim();
    if (seen.has(trimmed)) throw new InvalidInputError({ reason: `the label ${JSON.stringify(trimmed)} appears twice` });
    seen.add(trimmed);
    return trimmed;
  });
}

function readTexts(value: unknown, task: ClipTask): ClipItem[] {
  return prepareTextInput(value, task).items.map((text): ClipItem => ({ kind: 'text', text }));
}

/** The task an input asks for, from the fields it has. */
export function clipTaskOf(input: Record<string, unknown>): ClipTask {
  const has = (field: string) => input[field] !== undefined;
  const fields = ['images', 'texts', 'labels'].filter(has);
  const unknown = Object.keys(input).filter((key) => !['images', 'texts', 'labels'].includes(key));
  if (unknown.length > 0) throw new InvalidInputError({ reason: `unknown field ${unknown.join(', ')} (expected images, texts and/or labels; options go in the second argument)` });
  if (has('labels') && has('texts')) throw new InvalidInputError({ reason: 'give either texts (similarity) or labels (zero-shot classification), not both' });
  if (has('labels')) {
    if (!has('images')) throw new InvalidInputError({ reason: 'zero-shot classification needs images as well as labels' });
    return 'zero-shot-image-classification';
  }
  if (has('images') && has('texts')) return 'image-text-similarity';
  if (has('images')) return 'image-embedding';
  if (has('texts')) return 'text-embedding';
  throw new InvalidInputError({ reason: `expected an object with images, texts and/or labels${fields.length === 0 ? '' : `, got ${fields.join(', ')}`}` });
}

/** Validates a request and splits it into items: its images first, then its texts (or its labels' sentences). */
export function prepareClipRequest(input: unknown, options: ClipOptions | undefined): PreparedRequest<ClipItem> {
  const { template } = readClipOptions(options);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidInputError({ reason: `expected an object with images, texts and/or labels, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}` });
  }
  const request = input as Record<string, unknown>;
  const task = clipTaskOf(request);
  const images = request.images === undefined ? [] : readImages(request.images);
  if (task === 'zero-shot-image-classification') {
    const labels = readLabels(request.labels).map((label): ClipItem => ({ kind: 'text', text: template.split('{}').join(label), label }));
    return { task, items: [...images, ...labels] };
  }
  const texts = request.texts === undefined ? [] : readTexts(request.texts, task);
  return { task, items: [...images, ...texts] };
}
