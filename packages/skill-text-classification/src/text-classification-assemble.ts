import type { PreparedRequest } from '@accel/core';
import { rankLabels, scoresOf } from './rank-labels.js';
import type { TextClassificationLogits } from './text-classification-model.js';
import type { TextClassificationItem } from './text-classification-prepare.js';
import { defaultTextClassificationTopK, type TextClassificationOptions, type TextClassificationOutput } from './text-classification-schemas.js';

/**
 * Scores each text's logits (`functionToApply`, by default sigmoid for multi-label models and
 * softmax otherwise, as transformers.js's text-classification pipeline does) and keeps its `topK`
 * best labels.
 */
export function assembleTextClassificationOutput(
  values: readonly TextClassificationLogits[],
  _prepared: PreparedRequest<TextClassificationItem>,
  options: TextClassificationOptions | undefined,
): TextClassificationOutput {
  const topK = options?.topK ?? defaultTextClassificationTopK;
  return {
    classifications: values.map(({ logits, labels, multiLabel }) =>
      rankLabels(labels, scoresOf(logits, options?.functionToApply ?? (multiLabel ? 'sigmoid' : 'softmax')), topK),
    ),
  };
}
