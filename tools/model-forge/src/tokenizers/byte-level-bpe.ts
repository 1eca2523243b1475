import { learnMerges } from './bpe-training.js';
import { byteLevelAlphabet, toByteLevel } from './bytes-to-unicode.js';
import { commonEnglishWords } from './english-words.js';
import type { TokenizerFiles } from './tokenizer-files.js';
import { addedTokenEntry } from './tokenizer-files.js';

export interface ByteLevelBpeModel {
  /** Pieces in id order: the 256 byte characters, then one piece per merge. */
  readonly vocabulary: readonly string[];
  readonly merges: ReadonlyArray<readonly [string, string]>;
}

export interface ByteLevelBpeModelOptions {
  /** Merges learned from common English words (fewer if the words run out). Default 300. */
  readonly learnedMerges?: number;
  /** Pad the vocabulary to this many pieces with further (filler) merges. */
  readonly size?: number;
}

const letters = [...'abcdefghijklmnopqrstuvwxyz'];

/** A GPT-2 style byte-level BPE: every byte is a token, so any text round-trips. */
export function buildByteLevelBpe(options: ByteLevelBpeModelOptions = {}): ByteLevelBpeModel {
  const vocabulary = byteLevelAlphabet().map(({ character }) => character);
  const corpus = commonEnglishWords.flatMap((word) => [
    { text: toByteLevel(` ${word}`), weight: 3 },
    { text: toByteLevel(word), weight: 1 },
  ]);
  const merges = learnMerges(corpus, options.learnedMerges ?? 300);
  const present = new Set(vocabulary);
  for (const [left, right] of merges) {
    present.add(left + right);
    vocabulary.push(left + right);
  }
  const size = options.size ?? vocabulary.length;
  for (let base = 0; vocabulary.length < size; base += 1) {
    const prefix = vocabulary[base]!;
    for (const letter of letters) {
      if (vocabulary.length === size) break;
      if (present.has(prefix + letter)) continue;
      present.add(prefix + letter);
      vocabulary.push(prefix + letter);
      merges.push([prefix, letter]);
    }
  }
  return { vocabulary, merges };
}

export interface ByteLevelBpeTokenizerOptions {
  readonly model: ByteLevelBpeModel;
  /** Added after the model's pieces, e.g. `<|endoftext|>`. */
  readonly specialTokens: readonly string[];
  /** Family-specific `tokenizer_config.json` fields (class, bos/eos/unk/pad tokens, model_max_length). */
  readonly tokenizerConfig: Readonly<Record<string, unknown>>;
}

/**
 * The `model` section of a byte-level BPE tokenizer.json (GPT-2's, RoBERTa's, OPT's and CLAP's
 * settings) over `vocabulary`: pieces whose ids are their positions, or pieces mapped to ids.
 */
export function byteLevelBpeModelSection(vocabulary: readonly string[] | Readonly<Record<string, number>>, merges: ByteLevelBpeModel['merges']): Record<string, unknown> {
  return {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab: Array.isArray(vocabulary) ? Object.fromEntries(vocabulary.map((piece, id) => [piece, id])) : vocabulary,
    merges,
  };
}

/** `tokenizer.json` in the GPT-2 layout: ByteLevel pre-tokenizer, post-processor and decoder. */

export function byteLevelBpeTokenizerFiles({ model, specialTokens, tokenizerConfig }: ByteLevelBpeTokenizerOptions): TokenizerFiles {
  const vocabulary = [...model.vocabulary, ...specialTokens];
  const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean): Record<string, unknown> => ({
    type: 'ByteLevel',
    add_prefix_space: addPrefixSpace,
    trim_offsets: trimOffsets,
    use_regex: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content, index) =>
      addedTokenEntry({ id: model.vocabulary.length + index, content, special: true }, true),
    ),
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: byteLevelBpeModelSection(vocabulary, model.merges),
  };
  return { tokenizer, tokenizerConfig: { ...tokenizerConfig } };
}
