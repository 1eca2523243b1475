
/** One chat message. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** A prompt, or a conversation formatted with the model's chat template. */
export type TextGenerationInput = string | readonly ChatMessage[];
