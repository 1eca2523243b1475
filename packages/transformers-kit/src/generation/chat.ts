import { InvalidInputError } from '@accel/core';

/** One chat message. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** A prompt, or a conversation formatted with the model's chat template. */
export type TextGenerationInput = string | readonly ChatMessage[];

/** Validates a prompt or chat; an empty prompt, empty chat or malformed message is an `InvalidInputError`. */
export function validateTextGenerationInput(input: unknown): TextGenerationInput {
  if (typeof input === 'string') {
    if (input.length === 0) throw new InvalidInputError({ reason: 'the prompt is empty' });
    return input;
  }
  if (!Array.isArray(input)) throw new InvalidInputError({ reason: `expected a prompt string or an array of chat messages, got ${input === null ? 'null' : typeof input}` });
  if (input.length === 0) throw new InvalidInputError({ reason: 'the chat has no messages' });
  input.forEach((message: unknown, index) => {
    const candidate = message as Partial<ChatMessage> | null;
    if (candidate === null || typeof candidate !== 'object' || !['system', 'user', 'assistant'].includes(String(candidate.role)) || typeof candidate.content !== 'string') {
      throw new InvalidInputError({ reason: 'each chat message needs a role (system, user or assistant) and string content', index });
    }
  });
  return input as readonly ChatMessage[];
}
