import { z } from 'zod';

/** A text with something in it (not only whitespace). */
export const nonEmptyTextSchema = z
  .string({ error: (issue) => `expected a string, got ${describeValue(issue.input)}` })
  .refine((text) => text.trim().length > 0, { error: 'the text is empty' })
  .describe('a non-empty text');

/** One text, or a non-empty list of texts: one item each. */
export const textsSchema = z
  .union([nonEmptyTextSchema, z.array(nonEmptyTextSchema).min(1, { error: 'the input array is empty' }).readonly()], {
    error: (issue) => `expected a string or an array of strings, got ${describeValue(issue.input)}`,
  })
  .describe('one text or a list of texts');

/** `null`, `an array`, or the `typeof` of a value: how error messages name what they got. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value;
}
