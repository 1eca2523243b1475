import { commonEnglishWords } from '../tokenizers/english-words.js';
import type { TokenizerFiles } from '../tokenizers/tokenizer-files.js';
import { addedTokenEntry } from '../tokenizers/tokenizer-files.js';

/** T5's special tokens and their fixed ids. */
export const t5SpecialTokens = { pad: '<pad>', endOfSequence: '</s>', unknown: '<unk>' } as const;

const metaspace = '\u2581';
/** Words of T5's task prefixes ("translate English to German: …", "summarize: …", GLUE tasks) and the example's answer. */
const taskWords = [
  'translate', 'English', 'German', 'French', 'Romanian', 'summarize', 'question', 'context', 'answer', 'sentence',
  'cola', 'sst2', 'mrpc', 'stsb', 'qqp', 'mnli', 'qnli', 'rte', 'wnli', 'hypothesis', 'premise', 'sentence1', 'sentence2',
  'The', 'Das', 'Haus', 'ist', 'klein', 'La', 'maison', 'est', 'petite',
];
const characters = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'.,:;!?\'"()[]{}<>-_/\\+=*&%$#@^~`|',
  ...'äöüÄÖÜßéèêàâçôîûëïœ',
];
const letters = [...'abcdefghijklmnopqrstuvwxyz'];

export interface T5VocabularyOptions {
  /** Sentinel tokens `<extra_id_0>` … for span corruption, after the other pieces (T5 has 100). */
  readonly extraIds: number;
  /** Pad to this many pieces (sentinels included) with filler pieces. Omitted: the small vocabulary. */
  readonly size?: number;
}

/** A Unigram vocabulary: pieces in id order with their log-probability scores. */
export interface T5Vocabulary {
  readonly pieces: ReadonlyArray<readonly [string, number]>;
  readonly extraIds: number;
}

/**
 * T5's layout: `<pad>` 0, `</s>` 1, `<unk>` 2, then `▁`, whole words as `▁word`, single characters
 * (so any text in this alphabet tokenizes without `<unk>`), optional filler, and the sentinels last
 * in reverse order (`<extra_id_0>` has the highest id). Scores favour whole words over characters.
 */
export function buildT5Vocabulary({ extraIds, size }: T5VocabularyOptions): T5Vocabulary {
  const pieces: Array<readonly [string, number]> = [
    [t5SpecialTokens.pad, 0],
    [t5SpecialTokens.endOfSequence, 0],
    [t5SpecialTokens.unknown, 0],
    [metaspace, -3],
  ];
  const present = new Set(pieces.map(([piece]) => piece));
  const add = (piece: string, score: number) => {
    if (present.has(piece)) return;
    present.add(piece);
    pieces.push([piece, score]);
  };
  [...taskWords, ...commonEnglishWords].forEach((word, index) => add(`${metaspace}${word}`, -4 - index / 1000));
  characters.forEach((character, index) => add(character, -8 - index / 1000));
  if (size !== undefined) {
    const target = size - extraIds;
    if (pieces.length > target) throw new Error(`A T5 vocabulary needs at least ${pieces.length + extraIds} pieces, asked for ${size}`);
    let index = 0;
    for (const filler of fillerPieces()) {
      if (pieces.length >= target) break;
      add(filler, -12 - index++ / 1e6);
    }
  }
  for (let sentinel = extraIds - 1; sentinel >= 0; sentinel -= 1) pieces.push([`<extra_id_${sentinel}>`, 0]);
  return { pieces, extraIds };
}

/** Letter combinations, shortest first, as word starts (`▁ab`) and as word parts (`ab`). */
function* fillerPieces(): Generator<string> {
  for (let length = 2; ; length += 1) {
    let combinations = [''];
    for (let position = 0; position < length; position += 1) combinations = combinations.flatMap((prefix) => letters.map((letter) => prefix + letter));
    yield* combinations.map((combination) => `${metaspace}${combination}`);
    yield* combinations;
  }
}

export interface T5TokenizerOptions {
  readonly vocabulary: T5Vocabulary;
  readonly modelMaxLength: number;
}

/**
 * `tokenizer.json` + `tokenizer_config.json` of a T5 tokenizer: NFKC, whitespace split, Metaspace
 * (`▁` before every word), Unigram, `</s>` appended by the post-processor, Metaspace decoder.
 */
export function t5TokenizerFiles({ vocabulary, modelMaxLength }: T5TokenizerOptions): TokenizerFiles {
  const ids = new Map(vocabulary.pieces.map(([piece], id) => [piece, id]));
  const idOf = (piece: string): number => {
    const id = ids.get(piece);
    if (id === undefined) throw new Error(`Vocabulary lacks ${piece}`);
    return id;
  };
  const { pad, endOfSequence, unknown } = t5SpecialTokens;
  const sentinels = Array.from({ length: vocabulary.extraIds }, (_, index) => `<extra_id_${index}>`);
  const specials = [pad, endOfSequence, unknown, ...[...sentinels].reverse()];
  const sequence = (id: 'A' | 'B') => ({ Sequence: { id, type_id: 0 } });
  const end = { SpecialToken: { id: endOfSequence, type_id: 0 } };
  const metaspaceOptions = { replacement: metaspace, prepend_scheme: 'always', split: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => addedTokenEntry({ id: idOf(content), content, special: true }, false)),
    normalizer: { type: 'NFKC' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Metaspace', ...metaspaceOptions }] },
    post_processor: {
      type: 'TemplateProcessing',
      single: [sequence('A'), end],
      pair: [sequence('A'), end, sequence('B'), end],
      special_tokens: { [endOfSequence]: { id: endOfSequence, ids: [idOf(endOfSequence)], tokens: [endOfSequence] } },
    },
    decoder: { type: 'Metaspace', ...metaspaceOptions },
    model: { type: 'Unigram', unk_id: idOf(unknown), vocab: vocabulary.pieces, byte_fallback: false },
  };
  const tokenizerConfig = {
    additional_special_tokens: sentinels,
    clean_up_tokenization_spaces: true,
    eos_token: endOfSequence,
    extra_ids: vocabulary.extraIds,
    legacy: true,
    model_max_length: modelMaxLength,
    pad_token: pad,
    tokenizer_class: 'T5Tokenizer',
    unk_token: unknown,
  };
  return { tokenizer, tokenizerConfig };
}
