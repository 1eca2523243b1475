/** The two JSON files transformers.js needs for a tokenizer. */
export interface TokenizerFiles {
  /** `tokenizer.json` (the Hugging Face tokenizers format). */
  readonly tokenizer: Record<string, unknown>;
  /** `tokenizer_config.json`. */
  readonly tokenizerConfig: Record<string, unknown>;
}

export interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
}

export function addedTokenEntry({ id, content, special }: AddedToken, normalized: boolean): Record<string, unknown> {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized, special };
}
