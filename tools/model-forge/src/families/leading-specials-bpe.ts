import { byteLevelBpeModelSection, type ByteLevelBpeModel } from '../tokenizers/byte-level-bpe.js';
import type { TokenizerFiles } from '../tokenizers/tokenizer-files.js';
import { addedTokenEntry } from '../tokenizers/tokenizer-files.js';

export interface LeadingSpecialsBpeOptions {
  readonly model: ByteLevelBpeModel;
  /** Special tokens, given ids 0, 1, 2, … before the byte-level pieces (as OPT and SmolLM2 number them). */
  readonly specialTokens: readonly string[];
  /** A special token put before every encoded text (OPT's `</s>`), or none. */
  readonly prependToken?: string;
  /** Family-specific `tokenizer_config.json` fields. */
  readonly tokenizerConfig: Readonly<Record<string, unknown>>;
}

/**
 * `tokenizer.json` for a GPT-2 style byte-level BPE whose special tokens come first in the
 * vocabulary (OPT: `<s> <pad> </s> <unk>`; SmolLM2: `<|endoftext|> <|im_start|> <|im_end|>`).
 * With `prependToken` the post-processor is a TemplateProcessing that puts it before every text.
 */
export function leadingSpecialsBpeTokenizerFiles({ model, specialTokens, prependToken, tokenizerConfig }: LeadingSpecialsBpeOptions): TokenizerFiles {
  const vocabulary = [...specialTokens, ...model.vocabulary];
  const idOf = (token: string): number => {
    const id = specialTokens.indexOf(token);
    if (id === -1) throw new Error(`${token} is not one of the special tokens ${specialTokens.join(' ')}`);
    return id;
  };
  const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean): Record<string, unknown> => ({
    type: 'ByteLevel',
    add_prefix_space: addPrefixSpace,
    trim_offsets: trimOffsets,
    use_regex: true,
  });
  const postProcessor =
    prependToken === undefined
      ? byteLevel(true, false)
      : {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: prependToken, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [
            { SpecialToken: { id: prependToken, type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: prependToken, type_id: 1 } },
            { Sequence: { id: 'B', type_id: 1 } },
          ],
          special_tokens: { [prependToken]: { id: prependToken, ids: [idOf(prependToken)], tokens: [prependToken] } },
        };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content, id) => addedTokenEntry({ id, content, special: true }, false)),
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: postProcessor,
    decoder: byteLevel(true, true),
    model: byteLevelBpeModelSection(vocabulary, model.merges),
  };
  return { tokenizer, tokenizerConfig: { ...tokenizerConfig } };
}
