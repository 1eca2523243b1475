import { learnMerges } from '../tokenizers/bpe-training.js';
import { byteLevelAlphabet, toByteLevel } from '../tokenizers/bytes-to-unicode.js';
import { commonEnglishWords } from '../tokenizers/english-words.js';
import type { TokenizerFiles } from '../tokenizers/tokenizer-files.js';
import { addedTokenEntry } from '../tokenizers/tokenizer-files.js';

const endOfWord = '</w>';
export const clipStartOfText = '<|startoftext|>';
export const clipEndOfText = '<|endoftext|>';

/** A CLIP byte-level BPE: pieces in id order, merges, and the ids of the two specials (always the last two ids). */
export interface ClipBpe {
  readonly vocabulary: readonly string[];
  readonly merges: ReadonlyArray<readonly [string, string]>;
  readonly startOfTextId: number;
  readonly endOfTextId: number;
}

const letters = [...'abcdefghijklmnopqrstuvwxyz'];
/** Private-use stand-ins for the `<byte></w>` word-final pieces while merges are learned, one per byte character. */
const wordFinalBase = 0xe000;

/**
 * CLIP's vocabulary layout: the 256 byte characters, the same 256 with `</w>` (word-final),
 * one piece per merge (learned from common English words, Zipf-weighted by rank, with CLIP's word-final marker), filler
 * merges up to `size - 2`, then `<|startoftext|>` and `<|endoftext|>` — so `<|endoftext|>` has
 * the largest id, which the text tower's argmax pooling relies on, as in the real model.
 */
export function buildClipBpe({ size, learnedMerges = 300 }: { size?: number; learnedMerges?: number } = {}): ClipBpe {
  const alphabet = byteLevelAlphabet().map(({ character }) => character);
  const finalOf = new Map(alphabet.map((character, index) => [String.fromCharCode(wordFinalBase + index), `${character}${endOfWord}`]));
  const stand = new Map(alphabet.map((character, index) => [character, String.fromCharCode(wordFinalBase + index)]));
  const corpus = commonEnglishWords.map((word, rank) => {
    const characters = [...toByteLevel(word)];
    const last = characters.pop()!;
    return { text: characters.join('') + stand.get(last)!, weight: Math.ceil(1000 / (rank + 1)) };
  });
  const restore = (piece: string): string => [...piece].map((character) => finalOf.get(character) ?? character).join('');
  const merges: Array<[string, string]> = learnMerges(corpus, learnedMerges).map(([left, right]) => [restore(left), restore(right)]);
  const vocabulary = [...alphabet, ...alphabet.map((character) => `${character}${endOfWord}`), ...merges.map(([left, right]) => left + right)];
  const present = new Set(vocabulary);
  const pieceCount = (size ?? vocabulary.length + 2) - 2;
  for (let base = 0; vocabulary.length < pieceCount; base += 1) {
    const prefix = vocabulary[base]!;
    if (prefix.endsWith(endOfWord)) continue;
    for (const letter of letters) {
      if (vocabulary.length === pieceCount) break;
      if (present.has(prefix + letter)) continue;
      present.add(prefix + letter);
      vocabulary.push(prefix + letter);
      merges.push([prefix, letter]);
    }
  }
  return { vocabulary, merges, startOfTextId: vocabulary.length, endOfTextId: vocabulary.length + 1 };
}

/**
 * `tokenizer.json` and `tokenizer_config.json` laid out like `Xenova/clip-vit-base-patch32`'s:
 * NFC + whitespace collapsing + lowercasing, CLIP's split regex then ByteLevel (no regex), BPE with
 * the `</w>` word-final suffix, and `<|startoftext|> … <|endoftext|>` around every text.
 */
export function clipTokenizerFiles(bpe: ClipBpe, modelMaxLength: number): TokenizerFiles {
  const vocabulary = [...bpe.vocabulary, clipStartOfText, clipEndOfText];
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      addedTokenEntry({ id: bpe.startOfTextId, content: clipStartOfText, special: true }, true),
      addedTokenEntry({ id: bpe.endOfTextId, content: clipEndOfText, special: true }, false),
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        byteLevel,
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [clipEndOfText, bpe.endOfTextId],
      cls: [clipStartOfText, bpe.startOfTextId],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: clipEndOfText,
      continuing_subword_prefix: '',
      end_of_word_suffix: endOfWord,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocabulary.map((piece, id) => [piece, id])),
      merges: bpe.merges,
    },
  };
  const tokenizerConfig = {
    add_prefix_space: false,
    bos_token: clipStartOfText,
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    eos_token: clipEndOfText,
    errors: 'replace',
    model_max_length: modelMaxLength,
    pad_token: clipEndOfText,
    tokenizer_class: 'CLIPTokenizer',
    unk_token: clipEndOfText,
  };
  return { tokenizer, tokenizerConfig };
}
