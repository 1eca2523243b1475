import { z } from 'zod';
import { generationOptionsShape, generationResultShape, promptSchema } from './generation-schemas.js';
import { imagesSchema } from './media-schemas.js';
import { describeValue } from './text-schemas.js';

/**
 * Images and a prompt about them: what every image+text-to-text skill (LLaVA, LLaVA-Next) takes.
 * Whether the prompt's `<image>` placeholders match the images is checked when the request is
 * prepared (`prepareVisionLanguageItem`), as it depends on the prompt's text.
 */
export const visionLanguageInputSchema = z
  .strictObject(
    {
      images: imagesSchema.describe('one image or several (path, encoded bytes or raw pixels), in the order of their <image> placeholders'),
      prompt: promptSchema.describe('a question or instruction, or chat messages; <image> marks where each image goes (none: the images open the first user message)'),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : `expected { images, prompt }, got ${describeValue(issue.input)}`) },
  )
  .describe('images and a prompt about them');

/** The kit's generation options, plus whether a prompt string goes through the chat template. */
export const visionLanguageOptionsSchema = z.strictObject({
  ...generationOptionsShape,
  applyChatTemplate: z
    .boolean({ error: (issue) => `applyChatTemplate must be a boolean, got ${describeValue(issue.input)}` })
    .optional()
    .describe("format a prompt string as one user message with the model's chat template (default true; a chat always uses it)"),
});

/** What one vision-language request generated. */
export const visionLanguageOutputSchema = z.object(generationResultShape);

/** Images and a prompt about them. */
export type VisionLanguageInput = z.input<typeof visionLanguageInputSchema>;
/** Generation options (the kit's), plus how the prompt is formatted. */
export type VisionLanguageOptions = z.input<typeof visionLanguageOptionsSchema>;
/** The generated text (without the prompt, cut before a stop string), its token ids and why generation stopped. */
export type VisionLanguageOutput = z.output<typeof visionLanguageOutputSchema>;
