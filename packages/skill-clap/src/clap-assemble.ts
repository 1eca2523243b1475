import type { PreparedRequest } from '@accel/core';
import { softmax } from '@accel/transformers-kit';
import type { ClapValue } from './clap-model.js';
import type { ClapItem } from './clap-prepare.js';
import type { ClapClassification, ClapOutput, ClapTask } from './clap-schemas.js';

function classify(logits: readonly number[], labels: readonly string[]): ClapClassification {
  const scores = softmax(logits)
    .map((score, index) => ({ label: labels[index]!, score }))
    .sort((left, right) => right.score - left.score);
  return { label: scores[0]!.label, score: scores[0]!.score, scores };
}

function dot(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index += 1) sum += left[index]! * right[index]!;
  return sum;
}

/** Builds a request's output from its items' (L2-normalised) embeddings and the clips' logits. */
export function assembleClapOutput(values: readonly ClapValue[], prepared: PreparedRequest<ClapItem>): ClapOutput {
  const task = prepared.task as ClapTask;
  const audio = values.flatMap((value) => (value.kind === 'audio' ? [value] : []));
  const text = values.flatMap((value) => (value.kind === 'text' ? [value.embedding] : []));
  const dimensions = values[0]?.embedding.length ?? 0;
  if (task === 'embed-audio') return { task, audioEmbeddings: audio.map((value) => value.embedding), dimensions };
  if (task === 'embed-text') return { task, textEmbeddings: text, dimensions };
  if (task === 'similarity') {
    return {
      task,
      audioEmbeddings: audio.map((value) => value.embedding),
      textEmbeddings: text,
      dimensions,
      similarity: audio.map((value) => text.map((embedding) => dot(value.embedding, embedding))),
      logits: audio.map((value) => value.logits),
    };
  }
  const first = prepared.items[0];
  const labels = first?.kind === 'audio' ? first.labels : [];
  return { task: 'classify', classifications: audio.map((value) => classify(value.logits, labels)) };
}
