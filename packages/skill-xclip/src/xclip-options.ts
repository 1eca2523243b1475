import { InvalidInputError } from '@accel/core';

/** Per-request options of the X-CLIP skill. */
export interface XclipOptions {
  /** Zero-shot classification: the sentence each label is put into, `{}` marking the label. Default `{}` (the label as is). */
  readonly template?: string;
  /** Embedding tasks: scale each embedding to unit length (default true); false gives the raw projections. */
  readonly normalize?: boolean;
}

export const defaultXclipTemplate = '{}';

/** Validated options with their defaults filled in. */
export function readXclipOptions(options: XclipOptions | undefined): Required<XclipOptions> {
  const template = options?.template ?? defaultXclipTemplate;
  const normalize = options?.normalize ?? true;
  if (typeof template !== 'string' || !template.includes('{}')) {
    throw new InvalidInputError({ reason: `template must be a string containing {} where the label goes, got ${JSON.stringify(template)}` });
  }
  if (typeof normalize !== 'boolean') throw new InvalidInputError({ reason: `normalize must be a boolean, got ${typeof normalize}` });
  return { template, normalize };
}
