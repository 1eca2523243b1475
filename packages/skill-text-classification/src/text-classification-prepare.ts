import type { PreparedRequest } from '@accel/core';
import type { TextClassificationInput } from './text-classification-schemas.js';

/** One text to classify; texts batch independently, across requests. */
export type TextClassificationItem = string;

/** Splits a validated request into one item per text (the schema has already refused empty texts and lists). */
export function prepareTextClassificationRequest(input: TextClassificationInput): PreparedRequest<TextClassificationItem> {
  return { task: 'text-classification', items: typeof input === 'string' ? [input] : [...input] };
}
