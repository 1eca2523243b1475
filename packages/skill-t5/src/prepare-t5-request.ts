import { InvalidInputError, type PreparedRequest } from '@accel/core';
import { resolveGenerationOptions, validateTextGenerationInput } from '@accel/transformers-kit';
import type { T5Item, T5Options } from './t5-types.js';

export const t5Task = 'text2text-generation';

/**
 * Validates a request before it is queued: a non-blank prompt string and in-range generation
 * options (`InvalidInputError` otherwise). Chat messages are refused: T5 has no chat template.
 */
export function prepareT5Request(input: unknown, options: T5Options | undefined): PreparedRequest<T5Item> {
  const resolved = resolveGenerationOptions(options);
  const prompt = validateTextGenerationInput(input);
  if (typeof prompt !== 'string') {
    throw new InvalidInputError({
      reason: 'T5 takes one prompt string with its task prefix (e.g. "translate English to German: …"); it has no chat template',
    });
  }
  if (prompt.trim().length === 0) throw new InvalidInputError({ reason: 'the prompt is blank' });
  return { task: t5Task, items: [{ prompt, options: resolved }] };
}
