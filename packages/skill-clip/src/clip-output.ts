import type { PreparedRequest } from '@accel/core';
import { cosineSimilarity, l2Normalize } from '@accel/transformers-kit';
import type { ClipItem, ClipTask } from './clip-input.js';
import { readClipOptions, type ClipOptions } from './clip-options.js';
import { softmax } from '@accel/transformers-kit';

/** `image-embedding` and `text-embedding`: one embedding per input, in order. */
export interface ClipEmbeddingOutput {
  readonly task: 'image-embedding' | 'text-embedding';
  readonly embeddings: Float32Array[];
  /** Length of each embedding (the model's `projection_dim`). */
  readonly dimensions: number;
}

/** `image-text-similarity`: `similarities[image][text]` is the cosine similarity of their embeddings, in [-1, 1]. */
export interface ClipSimilarityOutput {
  readonly task: 'image-text-similarity';
  readonly similarities: number[][];
}

/** A label and its probability. */
export interface ClipClassification {
  readonly label: string;
  readonly score: number;
}

/** `zero-shot-image-classification`: for each image, every label with its probability, most likely first; the scores sum to 1. */
export interface ClipZeroShotOutput {
  readonly task: 'zero-shot-image-classification';
  readonly classifications: ClipClassification[][];
}

export type ClipOutput = ClipEmbeddingOutput | ClipSimilarityOutput | ClipZeroShotOutput;

/** Builds a request's output from its items' raw (unnormalised) projections. */
export function assembleClipOutput(values: readonly Float32Array[], prepared: PreparedRequest<ClipItem>, options: ClipOptions | undefined): ClipOutput {
  const { normalize, logitScale } = readClipOptions(options);
  const task = prepared.task as ClipTask;
  const imageCount = prepared.items.filter((item) => item.kind === 'image').length;
  const images = values.slice(0, imageCount);
  const texts = values.slice(imageCount);
  switch (task) {
    case 'image-embedding':
    case 'text-embedding': {
      const embeddings = values.map((value) => (normalize ? l2Normalize(Float32Array.from(value)) : Float32Array.from(value)));
      return { task, embeddings, dimensions: embeddings[0]?.length ?? 0 };
    }
    case 'image-text-similarity':
      return { task, similarities: images.map((image) => texts.map((text) => cosineSimilarity(image, text))) };
    case 'zero-shot-image-classification': {
      const labels = prepared.items.flatMap((item) => (item.kind === 'text' ? [item.label ?? item.text] : []));
      const classifications = images.map((image) => {
        const scores = softmax(texts.map((text) => logitScale * cosineSimilarity(image, text)));
        return labels.map((label, index) => ({ label, score: scores[index]! })).sort((left, right) => right.score - left.score);
      });
      return { task, classifications };
    }
  }
}
