import { InvalidInputError, type PreparedRequest } from '@accel/core';
import type { ImageInput } from '@accel/core/media';
import { resolveGenerationOptions, type ResolvedGenerationOptions } from '../../generation/generation-options.js';
import type { ChatMessage, TextGenerationInput } from '../../generation/chat.js';
import type { VisionLanguageInput, VisionLanguageOptions, VisionLanguageOutput } from '../../schemas/vision-language-schemas.js';

/** Marks where an image goes in a prompt. Without any, the images open the (first) user message. */
export const imagePlaceholder = '<image>';

export type { VisionLanguageInput, VisionLanguageOptions, VisionLanguageOutput } from '../../schemas/vision-language-schemas.js';

/** One request, validated: the unit the scheduler batches. */
export interface VisionLanguageItem {
  readonly images: readonly ImageInput[];
  /** The prompt with exactly one `<image>` placeholder per image. */
  readonly prompt: TextGenerationInput;
  readonly applyChatTemplate: boolean;
  readonly options: ResolvedGenerationOptions;
}

function countPlaceholders(text: string): number {
  return text.split(imagePlaceholder).length - 1;
}

/** The prompt with one placeholder per image: as given, or with the images opening the first user message. */
function placeImages(prompt: TextGenerationInput, count: number): TextGenerationInput {
  const texts = typeof prompt === 'string' ? [prompt] : prompt.map((message) => message.content);
  const placed = texts.reduce((sum, text) => sum + countPlaceholders(text), 0);
  if (placed === count) return prompt;
  if (placed !== 0) {
    throw new InvalidInputError({ reason: `the prompt has ${placed} ${imagePlaceholder} placeholder(s) for ${count} image(s); use one per image, or none to put the images first` });
  }
  const opening = `${imagePlaceholder}\n`.repeat(count);
  if (typeof prompt === 'string') return opening + prompt;
  const first = prompt.findIndex((message) => message.role === 'user');
  if (first === -1) throw new InvalidInputError({ reason: 'the chat has no user message to attach the images to' });
  return prompt.map((message, index): ChatMessage => (index === first ? { role: message.role, content: opening + message.content } : message));
}

/**
 * The single item of a vision-language request that `visionLanguageInputSchema` and
 * `visionLanguageOptionsSchema` have validated: checks what a schema cannot (the prompt's `<image>`
 * placeholders against the images, a chat with `applyChatTemplate: false`), places the images in
 * the prompt and fills in the generation defaults. Images are decoded later, per item.
 */
export function prepareVisionLanguageItem(input: VisionLanguageInput, options: VisionLanguageOptions | undefined): VisionLanguageItem {
  const images: readonly ImageInput[] = Array.isArray(input.images) ? (input.images as readonly ImageInput[]) : [input.images as ImageInput];
  const applyChatTemplate = options?.applyChatTemplate ?? true;
  if (!applyChatTemplate && typeof input.prompt !== 'string') throw new InvalidInputError({ reason: 'a chat is always formatted with the chat template; send a prompt string with applyChatTemplate: false' });
  return { images, prompt: placeImages(input.prompt, images.length), applyChatTemplate, options: resolveGenerationOptions(options) };
}

/** `doPrepare` of a vision-language skill: one request, one item (task `image-text-to-text`). */
export function prepareVisionLanguageRequest(input: VisionLanguageInput, options: VisionLanguageOptions | undefined): PreparedRequest<VisionLanguageItem> {
  return { task: 'image-text-to-text', items: [prepareVisionLanguageItem(input, options)] };
}

/** `doAssemble` of a vision-language skill: the request's one item is its output. */
export function assembleVisionLanguageOutput(values: readonly VisionLanguageOutput[]): VisionLanguageOutput {
  return values[0]!;
}
