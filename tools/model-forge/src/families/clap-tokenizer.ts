import { buildByteLevelBpe, byteLevelBpeModelSection } from '../tokenizers/byte-level-bpe.js';
import type { TokenizerFiles } from '../tokenizers/tokenizer-files.js';
import { addedTokenEntry } from '../tokenizers/tokenizer-files.js';

export interface RobertaTokenizerOptions {
  /** Total vocabulary size, special tokens included. Omitted: the small byte-level BPE (a few hundred pieces). */
  readonly vocabularySize?: number;
  readonly modelMaxLength: number;
}

/** RoBERTa's special tokens and their ids: `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3; `<mask>` is the last id. */
export const robertaSpecialTokens = { bos: '<s>', pad: '<pad>', eos: '</s>', unk: '<unk>', mask: '<mask>' } as const;

const leadingSpecials = [robertaSpecialTokens.bos, robertaSpecialTokens.pad, robertaSpecialTokens.eos, robertaSpecialTokens.unk];

/**
 * A RoBERTa tokenizer (CLAP's text tower): GPT-2 byte-level BPE with `<s>`, `<pad>`, `</s>`,
 * `<unk>` at ids 0–3, `<mask>` last, and `RobertaProcessing` (`<s> $A </s>`).
 */
export function robertaTokenizerFiles({ vocabularySize, modelMaxLength }: RobertaTokenizerOptions): TokenizerFiles & { vocabularySize: number } {
  const specialCount = leadingSpecials.length + 1;
  const bpe = buildByteLevelBpe(vocabularySize === undefined ? {} : { size: vocabularySize - specialCount });
  const pieces = [...leadingSpecials, ...bpe.vocabulary, robertaSpecialTokens.mask];
  const vocabulary = Object.fromEntries(pieces.map((piece, id) => [piece, id]));
  const special = (content: string) => addedTokenEntry({ id: vocabulary[content]!, content, special: true }, content === robertaSpecialTokens.mask);
  const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean) => ({ type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: trimOffsets, use_regex: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...leadingSpecials, robertaSpecialTokens.mask].map(special),
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: {
      type: 'RobertaProcessing',
      sep: [robertaSpecialTokens.eos, vocabulary[robertaSpecialTokens.eos]],
      cls: [robertaSpecialTokens.bos, vocabulary[robertaSpecialTokens.bos]],
      trim_offsets: true,
      add_prefix_space: false,
    },
    decoder: byteLevel(true, true),
    model: byteLevelBpeModelSection(vocabulary, bpe.merges),
  };
  const tokenizerConfig = {
    add_prefix_space: false,
    bos_token: robertaSpecialTokens.bos,
    clean_up_tokenization_spaces: true,
    cls_token: robertaSpecialTokens.bos,
    eos_token: robertaSpecialTokens.eos,
    errors: 'replace',
    mask_token: robertaSpecialTokens.mask,
    model_max_length: modelMaxLength,
    pad_token: robertaSpecialTokens.pad,
    sep_token: robertaSpecialTokens.eos,
    tokenizer_class: 'RobertaTokenizer',
    trim_offsets: true,
    unk_token: robertaSpecialTokens.unk,
  };
  return { tokenizer, tokenizerConfig, vocabularySize: pieces.length };
}
