import { textsSchema } from '@accel/transformers-kit/encoders';
import { z } from 'zod';

/** What the scores are: probabilities from a softmax over the labels, independent sigmoids, or the raw logits. */
export const scoreFunctions = ['softmax', 'sigmoid', 'none'] as const;
export type ScoreFunction = (typeof scoreFunctions)[number];

/** Labels returned per text when `topK` is not given: the best one, as transformers.js's pipeline does. */
export const defaultTextClassificationTopK = 1;

/** One text or a non-empty list of texts; each is classified on its own. */
export const textClassificationInputSchema = textsSchema;

/** Per-request options of the text-classification skill. */
export const textClassificationOptionsSchema = z.strictObject({
  topK: z
    .int()
    .min(1, { error: 'topK must be at least 1 (a number at least the label count returns every label)' })
    .optional()
    .describe(`how many labels to return per text, best first (default ${defaultTextClassificationTopK}; the label count or more returns every label)`),
  functionToApply: z
    .enum(scoreFunctions)
    .optional()
    .describe('how logits become scores (default: sigmoid when config.json says problem_type multi_label_classification, else softmax)'),
});

const rankedLabelSchema = z.object({
  label: z.string().describe("the label, from config.json's id2label (LABEL_<index> where it has none)"),
  score: z.number().describe('its probability (softmax, sigmoid), or its logit (none)'),
});

/** What a text-classification request returns. */
export const textClassificationOutputSchema = z.object({
  classifications: z
    .array(z.array(rankedLabelSchema).min(1))
    .describe('per input text, in order: its topK labels with their scores, best first'),
});

export type TextClassificationInput = z.input<typeof textClassificationInputSchema>;
export type TextClassificationOptions = z.input<typeof textClassificationOptionsSchema>;
export type TextClassificationOutput = z.output<typeof textClassificationOutputSchema>;
/** One label and its score. */
export type RankedLabel = z.output<typeof rankedLabelSchema>;
