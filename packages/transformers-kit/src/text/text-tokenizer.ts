/** The part of a tokenizer (e.g. transformers.js `PreTrainedTokenizer`) that text skills use. */
export interface TextTokenizer {
  /** Token ids of one text, with the model's special tokens. */
  encode(text: string): number[];
  readonly pad_token_id?: number | null;
  readonly model_max_length?: number;
}
