import { AutoTokenizer, env } from '@huggingface/transformers';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenizerFiles } from '../src/index.js';
import {
  buildByteLevelBpe,
  buildWordPieceVocabulary,
  byteLevelAlphabet,
  byteLevelBpeTokenizerFiles,
  toByteLevel,
  wordPieceTokenizerFiles,
} from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const roots = new TemporaryRoots();
afterAll(() => roots.removeAll());

async function loadTokenizer(files: TokenizerFiles) {
  const directory = await roots.create();
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'tokenizer.json'), JSON.stringify(files.tokenizer));
  await writeFile(join(directory, 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig));
  return AutoTokenizer.from_pretrained(directory, { local_files_only: true });
}

const englishText =
  'The history of science is the study of how people came to understand the natural world. ' +
  'Early thinkers watched the sky, measured the seasons and wrote down what they found, often by hand.';

describe('WordPiece (BERT) tokenizer', () => {
  it('puts the specials first in the small vocabulary', () => {
    const vocabulary = buildWordPieceVocabulary();
    expect(vocabulary.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(new Set(vocabulary).size).toBe(vocabulary.length);
    expect(vocabulary.length).toBeLessThan(1000);
  });

  it('tokenizes ordinary English text without unknown pieces', async () => {
    const tokenizer = await loadTokenizer(wordPieceTokenizerFiles({ vocabulary: buildWordPieceVocabulary(), modelMaxLength: 128 }));
    const ids = tokenizer.encode(englishText);
    expect(ids[0]).toBe(2);
    expect(ids.at(-1)).toBe(3);
    expect(ids.filter((id) => id === 1)).toEqual([]);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(englishText.toLowerCase());
    expect(tokenizer.model_max_length).toBe(128);
  });

  it('marks the second sequence of a pair with token type 1', async () => {
    const tokenizer = await loadTokenizer(wordPieceTokenizerFiles({ vocabulary: buildWordPieceVocabulary(), modelMaxLength: 128 }));
    const encoded = tokenizer('first part', { text_pair: 'second', return_tensor: false });
    expect(encoded.input_ids).toHaveLength(6);
    expect(encoded.token_type_ids).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it('pads a full-size vocabulary to the requested size with bert-base-uncased special ids', async () => {
    const vocabulary = buildWordPieceVocabulary({ size: 30522 });
    expect(vocabulary).toHaveLength(30522);
    expect(new Set(vocabulary).size).toBe(30522);
    expect([0, 100, 101, 102, 103].map((id) => vocabulary[id])).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    const tokenizer = await loadTokenizer(wordPieceTokenizerFiles({ vocabulary, modelMaxLength: 512 }));
    const ids = tokenizer.encode(englishText);
    expect(ids[0]).toBe(101);
    expect(ids.filter((id) => id === 100)).toEqual([]);
  });
});

describe('byte-level BPE tokenizer', () => {
  const gpt2Config = {
    tokenizer_class: 'GPT2Tokenizer',
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    model_max_length: 1024,
  };

  it('uses the GPT-2 bytes-to-unicode table', () => {
    const alphabet = byteLevelAlphabet();
    expect(alphabet).toHaveLength(256);
    expect(alphabet[0]).toEqual({ byte: 33, character: '!' });
    expect(alphabet.find(({ byte }) => byte === 32)?.character).toBe('Ġ');
    expect(alphabet.find(({ byte }) => byte === 10)?.character).toBe('Ċ');
    expect(toByteLevel(' é')).toBe('ĠÃ©');
  });

  it('round-trips any text and merges common words into single tokens', async () => {
    const model = buildByteLevelBpe();
    const tokenizer = await loadTokenizer(byteLevelBpeTokenizerFiles({ model, specialTokens: ['<|endoftext|>'], tokenizerConfig: gpt2Config }));
    const text = `${englishText}\n\tUnicode: naïve café — 東京 🚀`;
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    expect(tokenizer.encode(' the')).toHaveLength(1);
    expect(tokenizer.encode(englishText).length).toBeLessThan(englishText.length / 2);
    expect(tokenizer.eos_token_id).toBe(model.vocabulary.length);
  });

  it('pads to a full vocabulary size with valid merges', async () => {
    const model = buildByteLevelBpe({ size: 50256 });
    expect(model.vocabulary).toHaveLength(50256);
    expect(new Set(model.vocabulary).size).toBe(50256);
    expect(model.merges).toHaveLength(50256 - 256);
    const tokenizer = await loadTokenizer(byteLevelBpeTokenizerFiles({ model, specialTokens: ['<|endoftext|>'], tokenizerConfig: gpt2Config }));
    expect(tokenizer.encode('<|endoftext|>')).toEqual([50256]);
    expect(tokenizer.decode(tokenizer.encode(englishText))).toBe(englishText);
  });
});
