import type { PreparedRequest } from '@accel/core';
import { cosineSimilarity, l2Normalize, softmax } from '@accel/transformers-kit/encoders';
import type { ClipItem, ClipTask } from './clip-prepare.js';
import { clipOptionsWithDefaults, type ClipOptions, type ClipOutput } from './clip-schemas.js';

/** Builds a request's output from its items' raw (unnormalised) projections. */
export function assembleClipOutput(values: readonly Float32Array[], prepared: PreparedRequest<ClipItem>, options: ClipOptions | undefined): ClipOutput {
  const { normalize, logitScale } = clipOptionsWithDefaults(options);
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
