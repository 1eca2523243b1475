import { InvalidInputError, validateWithSchema } from '@accel/core';
import { describe, expect, it } from 'vitest';
import { buildTokenFeeds, clsPool, cosineSimilarity, l2Normalize, meanPool, textsSchema, truncateKeepingLast } from '../src/index.js';

describe('vector helpers', () => {
  const states = { dims: [2, 3, 2], data: Float32Array.from([1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10]) };

  it('mean-pools over masked positions only', () => {
    const pooled = meanPool(states, [1, 1, 0, 1, 1, 1]);
    expect(Array.from(pooled[0]!)).toEqual([2, 3]);
    expect(Array.from(pooled[1]!)).toEqual([7, 8]);
  });

  it('takes the first token for cls pooling', () => {
    expect(clsPool(states).map((row) => Array.from(row))).toEqual([
      [1, 2],
      [5, 6],
    ]);
  });

  it('normalises to unit length and computes cosine similarity', () => {
    const vector = l2Normalize(Float32Array.from([3, 4]));
    expect(Array.from(vector)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1, 6);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(InvalidInputError);
  });

  it('rejects a tensor that is not [batch, sequence, hidden]', () => {
    expect(() => meanPool({ dims: [2, 2], data: [1, 2, 3, 4] }, [1, 1])).toThrow(/batch, sequence, hidden/);
  });
});

describe('text input', () => {
  it('takes a string or a list of strings', () => {
    expect(validateWithSchema(textsSchema, 'a cat', 'input')).toBe('a cat');
    expect(validateWithSchema(textsSchema, ['a', 'b'], 'input')).toEqual(['a', 'b']);
  });

  it.each([
    ['an empty string', '', /empty/],
    ['blank text', '   ', /empty/],
    ['an empty array', [], /array is empty/],
    ['a number', 42, /got number/],
    ['null', null, /got null/],
    ['a non-string element', ['ok', 7], /^invalid input at index 1: 1: expected a string, got number/],
  ])('refuses %s with InvalidInputError', (_name, input, message) => {
    expect(() => validateWithSchema(textsSchema, input, 'input')).toThrow(InvalidInputError);
    expect(() => validateWithSchema(textsSchema, input, 'input')).toThrow(message);
  });

  it('builds right-padded int64 feeds for the inputs a session declares', () => {
    const { feeds, length } = buildTokenFeeds(['input_ids', 'attention_mask', 'token_type_ids'], [[101, 7, 102], [101, 102]], 0);
    expect(length).toBe(3);
    expect(Array.from(feeds.input_ids!.data as BigInt64Array)).toEqual([101n, 7n, 102n, 101n, 102n, 0n]);
    expect(Array.from(feeds.attention_mask!.data as BigInt64Array)).toEqual([1n, 1n, 1n, 1n, 1n, 0n]);
    expect(feeds.token_type_ids?.dims).toEqual([2, 3]);
    expect(feeds.position_ids).toBeUndefined();
  });

  it('truncates keeping the closing token', () => {
    expect(truncateKeepingLast([101, 1, 2, 3, 102], 3)).toEqual([101, 1, 102]);
    expect(truncateKeepingLast([101, 102], 3)).toEqual([101, 102]);
  });
});
