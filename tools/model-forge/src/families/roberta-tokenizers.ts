import { buildByteLevelBpe, byteLevelBpeModelSection } from '../tokenizers/byte-level-bpe.js';
import { commonEnglishWords } from '../tokenizers/english-words.js';
import type { TokenizerFiles } from '../tokenizers/tokenizer-files.js';
import { buildWordPieceVocabulary, wordPieceTokenizerFiles } from '../tokenizers/wordpiece.js';
import { addedTokenEntry } from '../tokenizers/tokenizer-files.js';

/** RoBERTa's and XLM-R's specials: `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3, and `<mask>` as the last id. */
export const robertaSpecials = { start: '<s>', pad: '<pad>', end: '</s>', unknown: '<unk>', mask: '<mask>' } as const;
export const robertaPaddingIndex = 1;

export interface RobertaTokenizerOptions {
  /** Tokens in all, specials included. Omitted: the small vocabulary (a few hundred pieces). */
  readonly size?: number;
  readonly modelMaxLength: number;
}

/** `<s> A </s>` and `<s> A </s> </s> B </s>`, as RobertaProcessing adds them (no token types). */
function robertaPostProcessor(trimOffsets: boolean, addPrefixSpace: boolean): Record<string, unknown> {
  return { type: 'RobertaProcessing', sep: [robertaSpecials.end, 2], cls: [robertaSpecials.start, 0], trim_offsets: trimOffsets, add_prefix_space: addPrefixSpace };
}

function specialsConfig(tokenizerClass: string, modelMaxLength: number): Record<string, unknown> {
  return {
    bos_token: robertaSpecials.start,
    clean_up_tokenization_spaces: true,
    cls_token: robertaSpecials.start,
    eos_token: robertaSpecials.end,
    mask_token: robertaSpecials.mask,
    model_max_length: modelMaxLength,
    pad_token: robertaSpecials.pad,
    sep_token: robertaSpecials.end,
    tokenizer_class: tokenizerClass,
    unk_token: robertaSpecials.unknown,
  };
}

/** RoBERTa's tokenizer: GPT-2's byte-level BPE between `<s>`/`<pad>`/`</s>`/`<unk>` (ids 0–3) and `<mask>` (last). */
export function robertaTokenizerFiles({ size, modelMaxLength }: RobertaTokenizerOptions): TokenizerFiles {
  const bpe = buildByteLevelBpe(size === undefined ? {} : { size: size - 5 });
  const leading = [robertaSpecials.start, robertaSpecials.pad, robertaSpecials.end, robertaSpecials.unknown];
  const vocabulary = [...leading, ...bpe.vocabulary, robertaSpecials.mask];
  const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean): Record<string, unknown> => ({ type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: trimOffsets, use_regex: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      ...leading.map((content, id) => addedTokenEntry({ id, content, special: true }, true)),
      { ...addedTokenEntry({ id: vocabulary.length - 1, content: robertaSpecials.mask, special: true }, false), lstrip: true },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: robertaPostProcessor(true, false),
    decoder: byteLevel(true, true),
    model: byteLevelBpeModelSection(vocabulary, bpe.merges),
  };
  return { tokenizer, tokenizerConfig: { ...specialsConfig('RobertaTokenizer', modelMaxLength), add_prefix_space: false, errors: 'replace', trim_offsets: true } };
}

const metaspace = '\u2581';
const characters = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', ...'.,:;!?\'"()[]{}<>-_/\\+=*&%$#@^~`|', ...'äöüÄÖÜßéèêàâçôîûëïœñáíóúãõ'];
const multilingualWords = ['der', 'die', 'das', 'und', 'ist', 'le', 'la', 'les', 'est', 'el', 'los', 'es', 'y', 'una', 'un', 'il', 'di', 'che', 'non', 'ein', 'eine'];
const letters = [...'abcdefghijklmnopqrstuvwxyz'];

/** Letter combinations, shortest first, as word starts (`▁ab`) and word parts (`ab`). */
function* fillerPieces(): Generator<string> {
  for (let length = 2; ; length += 1) {
    let combinations = [''];
    for (let position = 0; position < length; position += 1) combinations = combinations.flatMap((prefix) => letters.map((letter) => prefix + letter));
    yield* combinations.map((combination) => `${metaspace}${combination}`);
    yield* combinations;
  }
}

/**
 * XLM-RoBERTa's tokenizer: SentencePiece Unigram with Metaspace (`▁` before every word), the specials
 * at RoBERTa's ids and `<mask>` last, and RobertaProcessing's `<s> A </s>`. The normalizer is NFKC
 * rather than XLM-R's precompiled SentencePiece character map.
 */
export function xlmRobertaTokenizerFiles({ size, modelMaxLength }: RobertaTokenizerOptions): TokenizerFiles {
  const pieces: Array<readonly [string, number]> = [
    [robertaSpecials.start, 0],
    [robertaSpecials.pad, 0],
    [robertaSpecials.end, 0],
    [robertaSpecials.unknown, 0],
    [metaspace, -3],
  ];
  const present = new Set(pieces.map(([piece]) => piece));
  const add = (piece: string, score: number) => {
    if (present.has(piece)) return;
    present.add(piece);
    pieces.push([piece, score]);
  };
  [...commonEnglishWords, ...multilingualWords].forEach((word, index) => add(`${metaspace}${word}`, -4 - index / 1000));
  characters.forEach((character, index) => add(character, -8 - index / 1000));
  if (size !== undefined) {
    if (pieces.length + 1 > size) throw new Error(`An XLM-R vocabulary needs at least ${pieces.length + 1} pieces, asked for ${size}`);
    let index = 0;
    for (const filler of fillerPieces()) {
      if (pieces.length >= size - 1) break;
      add(filler, -12 - index++ / 1e6);
    }
  }
  pieces.push([robertaSpecials.mask, 0]);
  const metaspaceOptions = { replacement: metaspace, prepend_scheme: 'always', split: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      ...[robertaSpecials.start, robertaSpecials.pad, robertaSpecials.end, robertaSpecials.unknown].map((content, id) => addedTokenEntry({ id, content, special: true }, false)),
      { ...addedTokenEntry({ id: pieces.length - 1, content: robertaSpecials.mask, special: true }, false), lstrip: true },
    ],
    normalizer: { type: 'NFKC' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Metaspace', ...metaspaceOptions }] },
    post_processor: robertaPostProcessor(true, true),
    decoder: { type: 'Metaspace', ...metaspaceOptions },
    model: { type: 'Unigram', unk_id: 3, vocab: pieces, byte_fallback: false },
  };
  return { tokenizer, tokenizerConfig: specialsConfig('XLMRobertaTokenizer', modelMaxLength) };
}

/**
 * MPNet's tokenizer: BERT's uncased WordPiece (BertNormalizer, BertPreTokenizer, `[UNK]`) after
 * `<s>`/`<pad>`/`</s>`/`<unk>` (ids 0–3), `<mask>` last, and `<s> A </s>` / `<s> A </s> </s> B </s>`.
 */
export function mpnetTokenizerFiles({ size, modelMaxLength }: RobertaTokenizerOptions): TokenizerFiles {
  const leading = [robertaSpecials.start, robertaSpecials.pad, robertaSpecials.end, robertaSpecials.unknown];
  const vocabulary = [...leading, ...buildWordPieceVocabulary(size === undefined ? {} : { size: size - leading.length - 1 }), robertaSpecials.mask];
  const bert = wordPieceTokenizerFiles({ vocabulary, modelMaxLength });
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const sequence = (id: 'A' | 'B') => ({ Sequence: { id, type_id: 0 } });
  const { start, end } = robertaSpecials;
  const tokenizer = {
    ...bert.tokenizer,
    added_tokens: [
      ...leading.map((content, id) => addedTokenEntry({ id, content, special: true }, false)),
      addedTokenEntry({ id: vocabulary.indexOf('[UNK]'), content: '[UNK]', special: true }, false),
      { ...addedTokenEntry({ id: vocabulary.length - 1, content: robertaSpecials.mask, special: true }, false), lstrip: true },
    ],
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(start), sequence('A'), special(end)],
      pair: [special(start), sequence('A'), special(end), special(end), sequence('B'), special(end)],
      special_tokens: Object.fromEntries([start, end].map((token) => [token, { id: token, ids: [vocabulary.indexOf(token)], tokens: [token] }])),
    },
  };
  const tokenizerConfig = {
    ...specialsConfig('MPNetTokenizer', modelMaxLength),
    do_lower_case: true,
    strip_accents: null,
    tokenize_chinese_chars: true,
    unk_token: '[UNK]',
  };
  return { tokenizer, tokenizerConfig };
}
