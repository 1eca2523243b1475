import { InvalidInputError } from '@accel/core';
import type { ImageInput } from '@accel/core/media';
import { resolveGenerationOptions, type GenerationOptions, type ResolvedGenerationOptions, type StopReason } from '../../generation/generation-options.js';
import { validateTextGenerationInput, type ChatMessage, type TextGenerationInput } from '../../generation/chat.js';

/** Marks where an image goes in a prompt. Without any, the images open the (first) user message. */
export const imagePlaceholder = '<image>';

/** Images and a prompt about them. */
export interface VisionLanguageInput {
  /** One image or several (path, encoded bytes or raw pixels), in the order of their `<image>` placeholders. */
  readonly images: ImageInput | readonly ImageInput[];
  /** A question or instruction, or a chat. */
  readonly prompt: TextGenerationInput;
}

/** Generation options (the kit's), plus how the prompt is formatted. */
export interface VisionLanguageOptions extends GenerationOptions {
  /**
   * Format a prompt string as one user message with the model's chat template (default true; a
   * model without a template gets the string as it is). A chat always uses the template.
   */
  readonly applyChatTemplate?: boolean;
}

/** What one request generated. */
export interface VisionLanguageOutput {
  /** The generated text (the prompt is not repeated), cut before a stop string. */
  readonly text: string;
  /** The generated token ids, without the end-of-sequence token. */
  readonly tokens: number[];
  /** `eos`, `length` (maxNewTokens or the context was reached), `stop-string`, or `aborted`. */
  readonly stopReason: StopReason;
}

/** One request, validated: the unit the scheduler batches. */
export interface VisionLanguageItem {
  readonly images: readonly ImageInput[];
  /** The prompt with exactly one `<image>` placeholder per image. */
  readonly prompt: TextGenerationInput;
  readonly applyChatTemplate: boolean;
  readonly options: ResolvedGenerationOptions;
}

function checkImage(image: unknown, index: number): ImageInput {
  if (typeof image === 'string') {
    if (image.length === 0) throw new InvalidInputError({ reason: 'the image path is empty', index });
    return image;
  }
  if (image instanceof Uint8Array) {
    if (image.byteLength === 0) throw new InvalidInputError({ reason: 'the image bytes are empty', index });
    return image;
  }
  const pixels = image as { data?: unknown; width?: unknown; height?: unknown; channels?: unknown } | null;
  if (pixels !== null && typeof pixels === 'object' && (pixels.data instanceof Uint8Array || pixels.data instanceof Uint8ClampedArray)) {
    const { width, height, channels } = pixels;
    const valid = Number.isInteger(width) && Number.isInteger(height) && (width as number) > 0 && (height as number) > 0 && [1, 3, 4].includes(channels as number);
    if (!valid || pixels.data.length !== (width as number) * (height as number) * (channels as number)) {
      throw new InvalidInputError({ reason: 'raw pixels need positive integer width and height, 1, 3 or 4 channels and width × height × channels bytes', index });
    }
    return image as ImageInput;
  }
  throw new InvalidInputError({ reason: `expected an image path, encoded bytes or raw pixels, got ${image === null ? 'null' : typeof image}`, index });
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
 * Validates a vision-language request before any work is done (images present and well-formed
 * as far as can be told without decoding them, prompt, placeholders, generation options) and
 * returns its single item. Images are decoded later, per item.
 */
export function prepareVisionLanguageItem(input: VisionLanguageInput, options: VisionLanguageOptions | undefined): VisionLanguageItem {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidInputError({ reason: `expected { images, prompt }, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}` });
  }
  const given = (input as { images?: unknown }).images;
  if (given === undefined || given === null) throw new InvalidInputError({ reason: 'no image: give images as one image or a non-empty array' });
  const list = Array.isArray(given) ? given : [given];
  if (list.length === 0) throw new InvalidInputError({ reason: 'no image: the images array is empty' });
  const images = list.map((image, index) => checkImage(image, index));
  const prompt = validateTextGenerationInput((input as { prompt?: unknown }).prompt);
  const applyChatTemplate = options?.applyChatTemplate ?? true;
  if (typeof applyChatTemplate !== 'boolean') throw new InvalidInputError({ reason: `applyChatTemplate must be a boolean, got ${typeof applyChatTemplate}` });
  if (!applyChatTemplate && typeof prompt !== 'string') throw new InvalidInputError({ reason: 'a chat is always formatted with the chat template; send a prompt string with applyChatTemplate: false' });
  return { images, prompt: placeImages(prompt, images.length), applyChatTemplate, options: resolveGenerationOptions(options) };
}
