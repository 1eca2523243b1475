import { InvalidInputError } from '@accel/core';
import type { ChatMessage } from '../../generation/chat.js';
import { imagePlaceholder, type VisionLanguageItem } from './vision-language-request.js';

/** The parts of a transformers.js tokenizer that prompt encoding uses. */
export interface ImagePromptTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  readonly chat_template: unknown;
  readonly bos_token?: string | null;
  apply_chat_template(conversation: ChatMessage[], options: Record<string, unknown>): unknown;
}

/** How a model spells and counts image tokens. */
export interface ImageTokens {
  /** The image token's text, e.g. `<image>`. */
  readonly text: string;
  readonly id: number;
}

function formatPrompt(tokenizer: ImagePromptTokenizer, item: VisionLanguageItem, model: string): string {
  const hasTemplate = tokenizer.chat_template !== null && tokenizer.chat_template !== undefined;
  if (typeof item.prompt === 'string' && (!item.applyChatTemplate || !hasTemplate)) return item.prompt;
  if (!hasTemplate) throw new InvalidInputError({ reason: `model ${model} has no chat template (tokenizer_config.json chat_template); send a prompt string instead of chat messages` });
  const messages: ChatMessage[] = typeof item.prompt === 'string' ? [{ role: 'user', content: item.prompt }] : [...item.prompt];
  try {
    return tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true }) as string;
  } catch (error) {
    throw new InvalidInputError({ reason: `the chat template of ${model} rejected the messages: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
}

/**
 * Token ids of an item's prompt: formatted with the chat template when it applies, each
 * `<image>` placeholder written as the model's image token, tokenized (the tokenizer's special
 * tokens added unless the template already wrote the BOS token), and each image token repeated
 * as many times as that image has features (`featureCounts[i]` for the i-th image).
 */
export function encodeImagePrompt(
  tokenizer: ImagePromptTokenizer,
  item: VisionLanguageItem,
  imageTokens: ImageTokens,
  featureCounts: readonly number[],
  model: string,
): number[] {
  const text = formatPrompt(tokenizer, item, model).replaceAll(imagePlaceholder, imageTokens.text);
  const bos = tokenizer.bos_token;
  const tokens = tokenizer.encode(text, { add_special_tokens: !(typeof bos === 'string' && bos.length > 0 && text.startsWith(bos)) });
  const expanded: number[] = [];
  let image = 0;
  for (const token of tokens) {
    if (token !== imageTokens.id) {
      expanded.push(token);
      continue;
    }
    const count = featureCounts[image];
    image += 1;
    if (count === undefined) break;
    for (let repeat = 0; repeat < count; repeat += 1) expanded.push(token);
  }
  if (image !== featureCounts.length) {
    throw new InvalidInputError({ reason: `the formatted prompt holds ${image} image token(s) for ${featureCounts.length} image(s); do not write the model's image token ${imageTokens.text} other than as a placeholder` });
  }
  return expanded;
}
