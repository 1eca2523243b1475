import type { PreparedRequest } from '@accel/core';
import { l2Normalize } from '@accel/transformers-kit';
import type { XclipItem, XclipTask } from './xclip-prepare.js';
import { xclipOptionsWithDefaults, type XclipOptions, type XclipOutput } from './xclip-schemas.js';

/** What one item yields: its raw projection, and for zero-shot videos the probability of each of its labels (in label order). */
export interface XclipValue {
  readonly embedding: Float32Array;
  readonly scores?: readonly number[];
}

/** Builds a request's output from its items' values. */
export function assembleXclipOutput(values: readonly XclipValue[], prepared: PreparedRequest<XclipItem>, options: XclipOptions | undefined): XclipOutput {
  const { normalize } = xclipOptionsWithDefaults(options);
  const task = prepared.task as XclipTask;
  if (task === 'zero-shot-video-classification') {
    const classifications = prepared.items.map((item, index) => {
      const labels = item.kind === 'video' ? (item.labels ?? []) : [];
      const scores = values[index]!.scores ?? [];
      return labels.map((label, position) => ({ label, score: scores[position]! })).sort((left, right) => right.score - left.score);
    });
    return { task, classifications };
  }
  const embeddings = values.map(({ embedding }) => (normalize ? l2Normalize(Float32Array.from(embedding)) : Float32Array.from(embedding)));
  return { task, embeddings, dimensions: embeddings[0]?.length ?? 0 };
}
