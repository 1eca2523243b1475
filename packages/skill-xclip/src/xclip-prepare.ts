import { InvalidInputError, type PreparedRequest } from '@accel/core';
import type { VideoInput } from '@accel/core/media';
import { xclipOptionsWithDefaults, type XclipInput, type XclipOptions } from './xclip-schemas.js';

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

/** The task an input asks for, from the fields it has. */
export function xclipTaskOf(input: XclipInput): XclipTask {
  const { video, videos, texts, labels } = input;
  const hasVideos = video !== undefined || videos !== undefined;
  if (video !== undefined && videos !== undefined) throw new InvalidInputError({ reason: 'give either video (one) or videos (a list), not both' });
  if (texts !== undefined && (hasVideos || labels !== undefined)) throw new InvalidInputError({ reason: 'texts (text embeddings) cannot be combined with videos or labels' });
  if (labels !== undefined) {
    if (!hasVideos) throw new InvalidInputError({ reason: 'zero-shot classification needs a video as well as labels' });
    return 'zero-shot-video-classification';
  }
  if (hasVideos) return 'video-embedding';
  if (texts !== undefined) return 'text-embedding';
  throw new InvalidInputError({ reason: 'expected an object with video or videos, texts and/or labels' });
}

/**
 * Splits a validated request (the schema checked every field) into items: one per video (carrying
 * its labels' sentences) or one per text.
 */
export function prepareXclipRequest(input: XclipInput, options: XclipOptions | undefined): PreparedRequest<XclipItem> {
  const task = xclipTaskOf(input);
  if (task === 'text-embedding') {
    const texts: readonly string[] = typeof input.texts === 'string' ? [input.texts] : (input.texts ?? []);
    return { task, items: texts.map((text): XclipItem => ({ kind: 'text', text })) };
  }
  const { template } = xclipOptionsWithDefaults(options);
  const labels = task === 'zero-shot-video-classification' ? input.labels?.map((label) => label.trim()) : undefined;
  const prompts = labels?.map((label) => template.split('{}').join(label));
  const videos: Array<{ video: VideoInput; index: number | undefined }> =
    input.video !== undefined ? [{ video: input.video as VideoInput, index: undefined }] : (input.videos ?? []).map((video, index) => ({ video: video as VideoInput, index }));
  return { task, items: videos.map(({ video, index }): XclipItem => ({ kind: 'video', video, index, ...(labels && prompts ? { labels, prompts } : {}) })) };
}
