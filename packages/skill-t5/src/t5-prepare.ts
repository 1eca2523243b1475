import type { PreparedRequest } from '@accel/core';
import { resolveGenerationOptions, type ResolvedGenerationOptions } from '@accel/transformers-kit';
import type { T5Input, T5Options } from './t5-schemas.js';

export const t5Task = 'text2text-generation';

/** One prompt with its resolved options: the unit the endpoint batches. */
export interface T5Item {
  readonly prompt: string;
  readonly options: ResolvedGenerationOptions;
}

/**
 * One item per request: the prompt (validated by `t5InputSchema`) with its generation options,
 * defaults filled in (validated by `t5OptionsSchema`). A prompt longer than the encoder's context is
 * refused when its batch starts, by the loaded model: that check needs the tokenizer.
 */
export function prepareT5Request(input: T5Input, options: T5Options | undefined): PreparedRequest<T5Item> {
  return { task: t5Task, items: [{ prompt: input, options: resolveGenerationOptions(options) }] };
}
