import { describe, expect, it } from 'vitest';
import { findDifference } from '../src/index.js';

describe('findDifference', () => {
  it('compares numbers within tolerance and everything else exactly', () => {
    expect(findDifference({ a: Float32Array.from([1, 2]) }, { a: [1.00001, 2] }, 1e-4)).toBeUndefined();
    expect(findDifference({ a: Float32Array.from([1, 2]) }, { a: [1.1, 2] }, 1e-4)).toContain('output.a[0]');
    expect(findDifference({ text: 'a' }, { text: 'b' }, 1)).toContain('output.text');
    expect(findDifference([1, 2], [1], 1)).toContain('length');
    expect(findDifference(Number.NaN, Number.NaN, 1)).toContain('NaN');
  });
});
