import { InvalidInputError, type PreparedRequest } from '@accel/core';

/**
 * Validates text input — one string, or a non-empty array of strings — and splits it into one
 * item per string. Empty strings, empty arrays and non-strings are `InvalidInputError`s.
 */
export function prepareTextInput(input: unknown, task: string): PreparedRequest<string> {
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts)) {
    throw new InvalidInputError({ reason: `expected a string or an array of strings, got ${describeType(input)}` });
  }
  if (texts.length === 0) throw new InvalidInputError({ reason: 'the input array is empty' });
  texts.forEach((text: unknown, index) => {
    const at = typeof input === 'string' ? undefined : index;
    if (typeof text !== 'string') {
      throw new InvalidInputError({ reason: `expected a string, got ${describeType(text)}`, ...(at === undefined ? {} : { index: at }) });
    }
    if (text.trim().length === 0) {
      throw new InvalidInputError({ reason: 'the text is empty', ...(at === undefined ? {} : { index: at }) });
    }
  });
  return { task, items: texts as string[] };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
