import { describe, expect, it } from 'vitest';
import { buildTokenFeeds, meanPool } from '../src/index.js';

/** The plain BigInt construction buildTokenFeeds replaced: the reference its int64 feeds equal. */
function referenceFeeds(sequences: number[][], padTokenId: number) {
  const length = Math.max(...sequences.map((sequence) => sequence.length));
  const ids = new BigInt64Array(sequences.length * length).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(sequences.length * length);
  const positions = new BigInt64Array(sequences.length * length);
  sequences.forEach((sequence, row) =>
    sequence.forEach((token, position) => {
      ids[row * length + position] = BigInt(token);
      mask[row * length + position] = 1n;
      positions[row * length + position] = BigInt(position);
    }),
  );
  return { ids, mask, positions, length };
}

describe('buildTokenFeeds (int64 feeds written through 32-bit words)', () => {
  it('equals the BigInt-per-element construction, for small, large and negative ids and pad ids', () => {
    const names = ['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'];
    const batches: Array<[number[][], number]> = [
      [[[101, 7, 102], [101, 102], [101, 5, 6, 7, 102]], 0],
      [[[0, 2, 3], [0, 1]], 1],
      [[[2 ** 31 - 1, 2 ** 31, 2 ** 40], [5]], 2 ** 33],
      [[[-1, 3], [4]], -100],
      [[[]], 0],
    ];
    for (const [sequences, pad] of batches) {
      const { feeds, mask, length } = buildTokenFeeds(names, sequences, pad);
      const reference = referenceFeeds(sequences, pad);
      expect(length).toBe(reference.length);
      expect(Array.from(feeds.input_ids!.data as BigInt64Array)).toEqual(Array.from(reference.ids));
      expect(Array.from(mask)).toEqual(Array.from(reference.mask));
      expect(feeds.attention_mask!.data).toBe(mask);
      expect(Array.from(feeds.position_ids!.data as BigInt64Array)).toEqual(Array.from(reference.positions));
      expect(Array.from(feeds.token_type_ids!.data as BigInt64Array).every((value) => value === 0n)).toBe(true);
      expect(feeds.input_ids!.dims).toEqual([sequences.length, reference.length]);
    }
  });

  it('feeds only the inputs the session declares', () => {
    const { feeds } = buildTokenFeeds(['input_ids', 'attention_mask'], [[101, 102]], 0);
    expect(Object.keys(feeds).sort()).toEqual(['attention_mask', 'input_ids']);
  });

  it('meanPool skips positions whose mask is 0n or 0 alike', () => {
    const states = { dims: [1, 3, 2], data: Float32Array.from([1, 2, 3, 4, 100, 100]) };
    expect(Array.from(meanPool(states, BigInt64Array.from([1n, 1n, 0n]))[0]!)).toEqual([2, 3]);
    expect(Array.from(meanPool(states, [1, 1, 0])[0]!)).toEqual([2, 3]);
    // Read through its 32-bit words: a value in the high word only counts, and a view's offset is kept.
    expect(Array.from(meanPool(states, BigInt64Array.from([1n << 32n, 0n, 1n]))[0]!)).toEqual([50.5, 51]);
    expect(Array.from(meanPool(states, BigInt64Array.from([9n, 0n, 1n, 1n]).subarray(1))[0]!)).toEqual([51.5, 52]);
  });
});

describe('meanPool (register sums)', () => {
  it('equals a plain float64 average over the kept positions, for hidden sizes not divisible by 4 and ragged masks', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
    for (const [batch, sequence, hidden] of [[3, 5, 7], [4, 9, 384], [2, 1, 1], [5, 6, 130]] as const) {
      const data = Float32Array.from({ length: batch * sequence * hidden }, random);
      const mask = BigInt64Array.from({ length: batch * sequence }, (_, index) => (index % sequence === 0 || random() > 0 ? 1n : 0n));
      const pooled = meanPool({ data, dims: [batch, sequence, hidden] }, mask);
      for (let row = 0; row < batch; row += 1) {
        const kept = Array.from({ length: sequence }, (_, position) => position).filter((position) => mask[row * sequence + position] === 1n);
        for (let unit = 0; unit < hidden; unit += 1) {
          const mean = kept.reduce((sum, position) => sum + data[(row * sequence + position) * hidden + unit]!, 0) / kept.length;
          expect(pooled[row]![unit]).toBe(Math.fround(mean));
        }
      }
    }
  });
});
