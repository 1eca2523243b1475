import { InvalidInputError, type PreparedRequest } from '@accel/core';
import { prepareTextInput } from '@accel/transformers-kit';
import type { VideoInput } from '@accel/core/media';
import { validateImageInput } from '@accel/core/media';
import { readXclipOptions, type XclipOptions } from './xclip-options.js';

/** One video (`video`: a folder of frames, a video file, or an ordered list of frames) or several (`videos`). */
export type XclipVideos = { readonly video: VideoInput } | { readonly videos: readonly VideoInput[] };

/** Task `video-embedding`: one embedding per video. */
export type XclipVideoEmbeddingInput = XclipVideos;

/** Task `text-embedding`: one embedding per text (X-CLIP's text tower, before any video-specific prompting). */
export interface XclipTextEmbeddingInput {
  readonly texts: string | readonly string[];
}

/** Task `zero-shot-video-classification`: a probability per label for every video (labels go into the `template` option). */
export type XclipZeroShotInput = XclipVideos & { readonly labels: readonly string[] };

/**
 * An X-CLIP request. The fields present pick the task: `video`/`videos` → video embeddings,
 * `texts` → text embeddings, `video`/`videos` + `labels` → zero-shot video classification.
 */
export type XclipInput = XclipVideoEmbeddingInput | XclipTextEmbeddingInput | XclipZeroShotInput;

export type XclipTask = 'zero-shot-video-classification' | 'video-embedding' | 'text-embedding';

/** One batchable unit: a video (with its labels and their sentences for zero-shot) or a text. */
export type XclipItem =
  | {
      readonly kind: 'video';
      readonly video: VideoInput;
      /** Position in `videos`, for error messages. */
      readonly index: number | undefined;
      readonly labels?: readonly string[];
      readonly prompts?: readonly string[];
    }
  | { readonly kind: 'text'; readonly text: string };

const fields = ['video', 'videos', 'texts', 'labels'];

function validateVideo(value: unknown, index: number | undefined): asserts value is VideoInput {
  const at = index === undefined ? {} : { index };
  if (typeof value === 'string') {
    if (value.trim().length === 0) throw new InvalidInputError({ reason: 'the video path is empty', ...at });
    return;
  }
  if (!Array.isArray(value)) {
    throw new InvalidInputError({ reason: 'a video is a folder of frames, a video file or a list of frames', ...at });
  }
  if (value.length === 0) throw new InvalidInputError({ reason: 'the frame list is empty', ...at });
  value.forEach((frame: unknown, frameIndex) => {
    try {
      validateImageInput(frame, undefined);
    } catch (error) {
      throw new InvalidInputError({ reason: `frame ${frameIndex}: ${(error as InvalidInputError).reason}`, ...at });
    }
  });
}

function readVideos(request: Record<string, unknown>): Array<{ video: VideoInput; index: number | undefined }> {
  if (request.video !== undefined) {
    validateVideo(request.video, undefined);
    return [{ video: request.video, index: undefined }];
  }
  const videos = request.videos;
  if (!Array.isArray(videos)) throw new InvalidInputError({ reason: 'videos must be a list of videos (use video for a single one)' });
  if (videos.length === 0) throw new InvalidInputError({ reason: 'the videos list is empty' });
  return videos.map((video: unknown, index) => {
    validateVideo(video, index);
    return { video, index };
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

/** The task an input asks for, from the fields it has. */
export function xclipTaskOf(input: Record<string, unknown>): XclipTask {
  const has = (field: string) => input[field] !== undefined;
  const unknown = Object.keys(input).filter((key) => !fields.includes(key));
  if (unknown.length > 0) throw new InvalidInputError({ reason: `unknown field ${unknown.join(', ')} (expected video or videos, texts and/or labels; options go in the second argument)` });
  const hasVideos = has('video') || has('videos');
  if (has('video') && has('videos')) throw new InvalidInputError({ reason: 'give either video (one) or videos (a list), not both' });
  if (has('texts') && (hasVideos || has('labels'))) throw new InvalidInputError({ reason: 'texts (text embeddings) cannot be combined with videos or labels' });
  if (has('labels')) {
    if (!hasVideos) throw new InvalidInputError({ reason: 'zero-shot classification needs a video as well as labels' });
    return 'zero-shot-video-classification';
  }
  if (hasVideos) return 'video-embedding';
  if (has('texts')) return 'text-embedding';
  throw new InvalidInputError({ reason: 'expected an object with video or videos, texts and/or labels' });
}

/** Validates a request and splits it into items: one per video (carrying its labels' sentences) or one per text. */
export function prepareXclipRequest(input: unknown, options: XclipOptions | undefined): PreparedRequest<XclipItem> {
  const { template } = readXclipOptions(options);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidInputError({ reason: `expected an object with video or videos, texts and/or labels, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}` });
  }
  const request = input as Record<string, unknown>;
  const task = xclipTaskOf(request);
  if (task === 'text-embedding') {
    return { task, items: prepareTextInput(request.texts, task).items.map((text): XclipItem => ({ kind: 'text', text })) };
  }
  const labels = task === 'zero-shot-video-classification' ? readLabels(request.labels) : undefined;
  const prompts = labels?.map((label) => template.split('{}').join(label));
  return {
    task,
    items: readVideos(request).map(({ video, index }): XclipItem => ({ kind: 'video', video, index, ...(labels && prompts ? { labels, prompts } : {}) })),
  };
}
