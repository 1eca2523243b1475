import { z } from 'zod';
import { nonEmptyTextSchema } from './text-schemas.js';

/**
 * Zero-shot classification's candidate labels: a non-empty list of non-empty texts, none twice
 * (compared trimmed, as the skills trim them).
 */
export const labelsSchema = z
  .array(nonEmptyTextSchema)
  .min(1, { error: 'the labels list is empty' })
  .superRefine((labels, context) => {
    const seen = new Set<string>();
    labels.forEach((label, index) => {
      const trimmed = label.trim();
      if (seen.has(trimmed)) context.addIssue({ code: 'custom', message: `the label ${JSON.stringify(trimmed)} appears twice`, path: [index], input: label });
      seen.add(trimmed);
    });
  })
  .readonly()
  .describe('zero-shot classification: the candidate labels');

/** The sentence each zero-shot label goes into, `{}` marking the label (`a photo of a {}.`). */
export const labelTemplateSchema = z
  .string({ error: (issue) => `template must be a string containing {} where the label goes, got ${JSON.stringify(issue.input) ?? typeof issue.input}` })
  .refine((template) => template.includes('{}'), { error: (issue) => `template must contain {} where the label goes, got ${JSON.stringify(issue.input)}` });
