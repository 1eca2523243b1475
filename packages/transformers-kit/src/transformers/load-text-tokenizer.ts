import { InvalidModelError, type SkillLoadContext } from '@accel/core';
import type { TextTokenizer } from '../text/text-tokenizer.js';
import { createWordPieceFastPath } from '../text/wordpiece-fast-path.js';

interface TokenizerConfig {
  readonly model_max_length?: number;
  readonly pad_token?: string | { readonly content: string } | null;
}

/**
 * Loads the folder's `tokenizer.json` with `@huggingface/tokenizers` (the tokenizer library
 * transformers.js uses, imported on first use). It needs no model runtime, so text skills can
 * tokenize even where onnxruntime-node cannot load (the wasm backend's case). A BERT WordPiece
 * tokenizer encodes ASCII texts through `createWordPieceFastPath`, equal to the library and
 * faster; every other text and tokenizer goes through the library.
 */
export async function loadTextTokenizer(context: SkillLoadContext): Promise<TextTokenizer> {
  const tokenizerJson = await context.readJson<Record<string, unknown>>('tokenizer.json');
  const config = await context.readJson<TokenizerConfig>('tokenizer_config.json');
  const { Tokenizer } = await import('@huggingface/tokenizers');
  let tokenizer: InstanceType<typeof Tokenizer>;
  try {
    tokenizer = new Tokenizer(tokenizerJson, config);
  } catch (error) {
    throw new InvalidModelError({ model: context.model.id, file: 'tokenizer.json', reason: `cannot build the tokenizer: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
  const padToken = typeof config.pad_token === 'string' ? config.pad_token : config.pad_token?.content;
  const padTokenId = padToken === undefined ? undefined : tokenizer.token_to_id(padToken);
  const fastPath = createWordPieceFastPath(tokenizerJson, config, tokenizer.model?.tokens_to_ids);
  return {
    encode: fastPath === undefined ? (text) => tokenizer.encode(text).ids : (text) => fastPath(text) ?? tokenizer.encode(text).ids,
    ...(padTokenId === undefined ? {} : { pad_token_id: padTokenId }),
    ...(typeof config.model_max_length === 'number' ? { model_max_length: config.model_max_length } : {}),
  };
}
