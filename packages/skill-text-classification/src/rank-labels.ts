import { softmax } from '@accel/transformers-kit/encoders';
import type { RankedLabel, ScoreFunction } from './text-classification-schemas.js';

/** 1 / (1 + e^−x), computed without overflow for large |x|. */
export function sigmoid(logit: number): number {
  if (logit >= 0) return 1 / (1 + Math.exp(-logit));
  const exponential = Math.exp(logit);
  return exponential / (1 + exponential);
}

/** The scores of one text's logits under `scoreFunction`. */
export function scoresOf(logits: ArrayLike<number>, scoreFunction: ScoreFunction): number[] {
  const values = Array.from(logits);
  switch (scoreFunction) {
    case 'softmax':
      return softmax(values);
    case 'sigmoid':
      return values.map(sigmoid);
    case 'none':
      return values;
  }
}

/**
 * Every label with its score, best first (equal scores keep the model's label order), cut to the
 * first `topK`.
 */
export function rankLabels(labels: readonly string[], scores: readonly number[], topK: number): RankedLabel[] {
  return scores
    .map((score, index) => ({ label: labels[index] ?? `LABEL_${index}`, score, index }))
    .sort((left, right) => right.score - left.score || left.index - right.index)
    .slice(0, topK)
    .map(({ label, score }) => ({ label, score }));
}
