import { InvalidInputError } from '@accel/core';
import type { ChatMessage, TextGenerationInput } from '../../generation/chat.js';

/** The parts of a transformers.js tokenizer that prompt encoding uses. */
export interface PromptTokenizer {
  encode(text: string): number[];
  readonly chat_template: unknown;
  apply_chat_template(conversation: ChatMessage[], options: Record<string, unknown>): unknown;
}

/**
 * Token ids of a prompt (with the tokenizer's own special tokens, e.g. OPT's leading `</s>`), or of
 * a chat formatted with the model's chat template and a generation prompt. A chat for a model
 * without a template, or one its template rejects, is an `InvalidInputError`.
 */
export function encodePrompt(tokenizer: PromptTokenizer, input: TextGenerationInput, model: string): number[] {
  let tokens: number[];
  if (typeof input === 'string') {
    tokens = tokenizer.encode(input);
  } else {
    if (tokenizer.chat_template === null || tokenizer.chat_template === undefined) {
      throw new InvalidInputError({ reason: `model ${model} has no chat template (tokenizer_config.json chat_template); send a prompt string instead of chat messages` });
    }
    try {
      tokens = tokenizer.apply_chat_template([...input], { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false }) as number[];
    } catch (error) {
      throw new InvalidInputError({ reason: `the chat template of ${model} rejected the messages: ${error instanceof Error ? error.message : String(error)}`, cause: error });
    }
  }
  if (tokens.length === 0) throw new InvalidInputError({ reason: 'the prompt encodes to no tokens' });
  return tokens;
}
