import { commonEnglishWords } from './english-words.js';
import type { TokenizerFiles } from './tokenizer-files.js';
import { addedTokenEntry } from './tokenizer-files.js';

export const bertSpecialTokens = {
  pad: '[PAD]',
  unknown: '[UNK]',
  classifier: '[CLS]',
  separator: '[SEP]',
  mask: '[MASK]',
} as const;

const specialTokenList = Object.values(bertSpecialTokens);
const punctuation = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
const digits = [...'0123456789'];
const letters = [...'abcdefghijklmnopqrstuvwxyz'];
const suffixes = ['s', 'es', 'ed', 'ing', 'ly', 'er', 'est', 'tion', 'ness', 'ment'];

/** Reserved `[unusedN]` tokens around the specials, where bert-base-uncased has them. */
const realLayoutUnusedBefore = 99;
const realLayoutUnusedEnd = 994;

export interface WordPieceVocabularyOptions {
  /**
   * Pad the vocabulary to this many pieces (and use bert-base-uncased's special-token ids:
   * `[PAD]` 0, `[UNK]` 100, `[CLS]` 101, `[SEP]` 102, `[MASK]` 103). Omitted: the small
   * vocabulary, specials first (`[PAD]` 0 … `[MASK]` 4).
   */
  readonly size?: number;
}

/** Pieces in id order. */
export function buildWordPieceVocabulary(options: WordPieceVocabularyOptions = {}): string[] {
  const base = [
    ...punctuation,
    ...digits,
    ...letters,
    ...letters.map((letter) => `##${letter}`),
    ...digits.map((digit) => `##${digit}`),
    ...suffixes.map((suffix) => `##${suffix}`),
    ...commonEnglishWords,
  ];
  if (options.size === undefined) return uniqueInOrder([...specialTokenList, ...base]);

  const pieces = uniqueInOrder([
    bertSpecialTokens.pad,
    ...unusedTokens(0, realLayoutUnusedBefore),
    ...specialTokenList.filter((token) => token !== bertSpecialTokens.pad),
    ...unusedTokens(realLayoutUnusedBefore, realLayoutUnusedEnd),
    ...base,
  ]);
  if (pieces.length > options.size) {
    throw new Error(`A WordPiece vocabulary needs at least ${pieces.length} pieces, asked for ${options.size}`);
  }
  const present = new Set(pieces);
  for (const filler of fillerPieces()) {
    if (pieces.length === options.size) break;
    if (present.has(filler)) continue;
    present.add(filler);
    pieces.push(filler);
  }
  return pieces;
}

export interface WordPieceTokenizerOptions {
  readonly vocabulary: readonly string[];
  readonly modelMaxLength: number;
}

/** BERT (uncased) tokenizer: BertNormalizer, BertPreTokenizer, WordPiece, `[CLS] A [SEP] B [SEP]`. */
export function wordPieceTokenizerFiles({ vocabulary, modelMaxLength }: WordPieceTokenizerOptions): TokenizerFiles {
  const ids = new Map(vocabulary.map((piece, id) => [piece, id]));
  const idOf = (piece: string): number => {
    const id = ids.get(piece);
    if (id === undefined) throw new Error(`Vocabulary lacks ${piece}`);
    return id;
  };
  const { classifier, separator } = bertSpecialTokens;
  const specialToken = (token: string, typeId: number): Record<string, unknown> => ({ SpecialToken: { id: token, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number): Record<string, unknown> => ({ Sequence: { id, type_id: typeId } });

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokenList.map((content) => addedTokenEntry({ id: idOf(content), content, special: true }, false)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [specialToken(classifier, 0), sequence('A', 0), specialToken(separator, 0)],
      pair: [specialToken(classifier, 0), sequence('A', 0), specialToken(separator, 0), sequence('B', 1), specialToken(separator, 1)],
      special_tokens: Object.fromEntries(
        [classifier, separator].map((token) => [token, { id: token, ids: [idOf(token)], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: bertSpecialTokens.unknown,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(ids),
    },
  };
  const tokenizerConfig = {
    clean_up_tokenization_spaces: true,
    cls_token: classifier,
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: bertSpecialTokens.mask,
    model_max_length: modelMaxLength,
    never_split: null,
    pad_token: bertSpecialTokens.pad,
    sep_token: separator,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: bertSpecialTokens.unknown,
  };
  return { tokenizer, tokenizerConfig };
}

function unusedTokens(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, index) => `[unused${from + index}]`);
}

/** Every lowercase letter combination, shortest first, as a word and as a `##` continuation. */
function* fillerPieces(): Generator<string> {
  for (let length = 2; ; length += 1) {
    const combinations = letterCombinations(length);
    yield* combinations;
    yield* combinations.map((combination) => `##${combination}`);
  }
}

function letterCombinations(length: number): string[] {
  let combinations = [''];
  for (let position = 0; position < length; position += 1) {
    combinations = combinations.flatMap((prefix) => letters.map((letter) => prefix + letter));
  }
  return combinations;
}

function uniqueInOrder(pieces: readonly string[]): string[] {
  return [...new Set(pieces)];
}
