import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWordPieceVocabulary, forgeModel, wordPieceTokenizerFiles } from '@accel/model-forge';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWordPieceFastPath } from '../src/text/wordpiece-fast-path.js';
// The bench's sentences (a pure module; bench depends on this package, so it is read by path).
import { benchSentences } from '../../bench/src/inputs/sentences.js';

type Json = Record<string, unknown>;
interface TokenizerCase {
  readonly name: string;
  readonly tokenizer: Json;
  readonly config: Json;
}

let root: string;
const cases: TokenizerCase[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'accel-wordpiece-'));
  for (const id of ['onnx-community/bert-tiny-ONNX', 'Xenova/all-MiniLM-L6-v2']) {
    const { directory } = await forgeModel(id, { root });
    const read = async (file: string): Promise<Json> => JSON.parse(await readFile(join(directory, file), 'utf8')) as Json;
    cases.push({ name: `${id} (forged, tiny)`, tokenizer: await read('tokenizer.json'), config: await read('tokenizer_config.json') });
  }
  // The full-size presets' tokenizer (what the bench's bert-tiny and MiniLM load): 30,522 pieces.
  const full = wordPieceTokenizerFiles({ vocabulary: buildWordPieceVocabulary({ size: 30522 }), modelMaxLength: 512 });
  cases.push({ name: 'bert-tiny / MiniLM (forged, full size)', tokenizer: full.tokenizer, config: full.tokenizerConfig });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A small seeded generator, so a failure names a reproducible input. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = ['the', 'man', 'running', 'quickly', 'unbelievable', 'tokenization', 'x', 'qzxv', 'hello', 'world', 'mountain', 'schools', 'cat', '##s', '##', 'a##b', 'unk'];
const asciiPieces = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  ' ', ' ', ' ', '  ', '\t', '\n', '\r', '\r\n', '\v', '\f',
  '\u0000', '\u0001', '\u001b', '\u001c', '\u001f', '\u007f',
  '...', '?!', "n't", '--', '[CLS]', '[SEP]', '[PAD]', '[UNK]', '[MASK]', '[cls]',
];

/** Random ASCII text: words (some uppercased), punctuation runs, control characters, whitespace. */
function randomAscii(random: () => number): string {
  const parts: string[] = [];
  const count = Math.floor(random() * 24);
  for (let index = 0; index < count; index += 1) {
    const roll = random();
    if (roll < 0.4) {
      const word = words[Math.floor(random() * words.length)]!;
      parts.push(random() < 0.2 ? word.toUpperCase() : random() < 0.1 ? word[0]!.toUpperCase() + word.slice(1) : word);
    } else if (roll < 0.95) {
      parts.push(asciiPieces[Math.floor(random() * asciiPieces.length)]!);
    } else {
      // A word around max_input_chars_per_word (100): 99–102 characters.
      parts.push('ab'.repeat(50).slice(0, 99 + Math.floor(random() * 4)));
    }
  }
  return parts.join(random() < 0.5 ? ' ' : '');
}

const fixedAscii = [
  '',
  ' ',
  '\t\n\r',
  'Hello, World!',
  'HELLO WORLD',
  "don't stop-believing... (ok?)",
  'a'.repeat(100),
  'a'.repeat(101),
  `${'b'.repeat(100)} ${'c'.repeat(101)} short`,
  'qzxvqzxv zzzzzzzzz',
  'the\u0000man\u0001came\u007fhome',
  'tab\there\vvertical\fform',
  '[CLS] a sentence [SEP]',
  'a[MASK]b',
  '##s ## ###',
  '1234567890 3.14159 $100 50%',
  '~!@#$%^&*()_+`-={}|[]\\:";\'<>?,./',
];

const nonAscii = ['café', 'naïve résumé', 'Ünïcödé', '中文字符', '日本語のテキスト', 'emoji 😀 here', 'zero\u200bwidth', 'nbsp\u00a0space', '\ufeffbom', 'mixed ascii and ñ', 'Ⅻ ﬁ ligature', 'a\ufffdb'];

describe('createWordPieceFastPath (equal to @huggingface/tokenizers)', () => {
  it('recognises the forged bert-tiny and MiniLM tokenizers', () => {
    expect(cases).toHaveLength(3);
    for (const { tokenizer, config } of cases) expect(createWordPieceFastPath(tokenizer, config)).toBeTypeOf('function');
  });

  it('returns the same ids as the library on the bench sentences, fixed cases and 2,000 random ASCII strings', () => {
    const sentences = benchSentences(64);
    const random = seededRandom(17);
    const randomTexts = Array.from({ length: 2000 }, () => randomAscii(random));
    for (const { name, tokenizer, config } of cases) {
      const reference = new Tokenizer(tokenizer, config);
      // Built from the JSON, and sharing the library's own token map (as loadTextTokenizer does).
      const fast = createWordPieceFastPath(tokenizer, config)!;
      const sharing = createWordPieceFastPath(tokenizer, config, reference.model!.tokens_to_ids)!;
      let handled = 0;
      for (const text of [...sentences, ...fixedAscii, ...randomTexts]) {
        const ids = fast(text);
        expect(sharing(text), `${name}: ${JSON.stringify(text)}`).toEqual(ids);
        if (ids === undefined) {
          // Only a text holding an added token's content goes to the library.
          expect(/\[(PAD|UNK|CLS|SEP|MASK)\]/.test(text), `${name}: fast path declined ${JSON.stringify(text)}`).toBe(true);
          continue;
        }
        handled += 1;
        expect(ids, `${name}: ${JSON.stringify(text)}`).toEqual(reference.encode(text).ids);
      }
      expect(handled).toBeGreaterThan(1300);
    }
  });

  it('covers unknown pieces, long words and uppercase with the unknown token and lowercase pieces', () => {
    const { tokenizer, config } = cases[2]!;
    const reference = new Tokenizer(tokenizer, config);
    const fast = createWordPieceFastPath(tokenizer, config)!;
    const unk = reference.token_to_id('[UNK]');
    const long = fast('a'.repeat(101))!;
    expect(long).toEqual([101, unk, 102]);
    expect(fast('THE')).toEqual(fast('the'));
    expect(fast('')).toEqual([101, 102]);
  });

  it('declines every non-ASCII text, and the library encodes it', () => {
    for (const { tokenizer, config } of cases) {
      const fast = createWordPieceFastPath(tokenizer, config)!;
      for (const text of nonAscii) expect(fast(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('follows the library with BertProcessing and with clean_text or lowercase turned off', () => {
    const { tokenizer, config } = cases[2]!;
    const variants: Json[] = [
      { ...tokenizer, post_processor: { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] } },
      { ...tokenizer, normalizer: { ...(tokenizer.normalizer as Json), clean_text: false } },
      { ...tokenizer, normalizer: { ...(tokenizer.normalizer as Json), lowercase: false } },
      { ...tokenizer, normalizer: { ...(tokenizer.normalizer as Json), lowercase: false, strip_accents: true, handle_chinese_chars: false } },
      { ...tokenizer, model: { ...(tokenizer.model as Json), max_input_chars_per_word: 5 } },
    ];
    const random = seededRandom(29);
    const texts = [...fixedAscii, ...Array.from({ length: 500 }, () => randomAscii(random))];
    for (const variant of variants) {
      const reference = new Tokenizer(variant, config);
      const fast = createWordPieceFastPath(variant, config);
      expect(fast).toBeTypeOf('function');
      for (const text of texts) {
        const ids = fast!(text);
        if (ids !== undefined) expect(ids, JSON.stringify(text)).toEqual(reference.encode(text).ids);
      }
    }
  });

  it('declines tokenizers it does not implement exactly', () => {
    const { tokenizer, config } = cases[2]!;
    const normalizer = tokenizer.normalizer as Json;
    const unrecognised: Array<[Json, Json]> = [
      [{ ...tokenizer, normalizer: { type: 'Sequence', normalizers: [normalizer] } }, config],
      [{ ...tokenizer, normalizer: { ...normalizer, unknown_flag: true } }, config],
      [{ ...tokenizer, pre_tokenizer: { type: 'Whitespace' } }, config],
      [{ ...tokenizer, model: { ...(tokenizer.model as Json), type: 'BPE' } }, config],
      [{ ...tokenizer, model: { ...(tokenizer.model as Json), fuse_unk: true } }, config],
      [{ ...tokenizer, post_processor: null }, config],
      [{ ...tokenizer, post_processor: { type: 'RobertaProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] } }, config],
      [{ ...tokenizer, added_tokens: [...(tokenizer.added_tokens as Json[]), { id: 5, content: 'hello', special: false }] }, config],
      [tokenizer, { ...config, remove_space: true }],
      [tokenizer, { ...config, do_lowercase_and_remove_accent: true }],
    ];
    for (const [json, tokenizerConfig] of unrecognised) expect(createWordPieceFastPath(json, tokenizerConfig)).toBeUndefined();
  });
});
