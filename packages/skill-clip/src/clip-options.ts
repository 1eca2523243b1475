import { InvalidInputError } from '@accel/core';

/** Per-request options of the CLIP skill. */
export interface ClipOptions {
  /**
   * Zero-shot classification: the sentence each label is put into, `{}` marking the label.
   * Default `a photo of a {}.`.
   */
  readonly template?: string;
  /** Embedding tasks: scale each embedding to unit length (default true); false gives the raw projections. */
  readonly normalize?: boolean;
  /**
   * Zero-shot classification: the factor applied to cosine similarities before the softmax.
   * Default 100, the learned `exp(logit_scale)` of OpenAI's CLIP checkpoints.
   */
  readonly logitScale?: number;
}

export const defaultClipTemplate = 'a photo of a {}.';
export const defaultClipLogitScale = 100;

/** Validated options with their defaults filled in. */
export function readClipOptions(options: ClipOptions | undefined): Required<ClipOptions> {
  const template = options?.template ?? defaultClipTemplate;
  const normalize = options?.normalize ?? true;
  const logitScale = options?.logitScale ?? defaultClipLogitScale;
  if (typeof template !== 'string' || !template.includes('{}')) {
    throw new InvalidInputError({ reason: `template must be a string containing {} where the label goes, got ${JSON.stringify(template)}` });
  }
  if (typeof normalize !== 'boolean') throw new InvalidInputError({ reason: `normalize must be a boolean, got ${typeof normalize}` });
  if (typeof logitScale !== 'number' || !Number.isFinite(logitScale) || logitScale <= 0) {
    throw new InvalidInputError({ reason: `logitScale must be a positive number, got ${String(logitScale)}` });
  }
  return { template, normalize, logitScale };
}
