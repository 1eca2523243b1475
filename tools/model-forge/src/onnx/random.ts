import { createHash } from 'node:crypto';

/**
 * xoshiro128** seeded from the SHA-256 of a string: the same seed string gives the same
 * sequence on every platform and run.
 */
export class SeededRandom {
  private readonly state: Uint32Array;

  constructor(seed: string) {
    const digest = createHash('sha256').update(seed).digest();
    this.state = new Uint32Array(4);
    for (let index = 0; index < 4; index += 1) {
      this.state[index] = digest.readUInt32LE(index * 4);
    }
    if (this.state.every((word) => word === 0)) this.state[0] = 1;
  }

  nextUint32(): number {
    const state = this.state;
    const s0 = state[0]!;
    const s1 = state[1]!;
    const s2 = state[2]!;
    const s3 = state[3]!;
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
    const shifted = (s1 << 9) >>> 0;
    const t2 = (s2 ^ s0) >>> 0;
    const t3 = (s3 ^ s1) >>> 0;
    state[0] = s0 ^ t3;
    state[1] = s1 ^ t2;
    state[2] = t2 ^ shifted;
    state[3] = rotateLeft(t3, 11);
    return result;
  }

  /** Uniform in the open interval (-1, 1). */
  nextSigned(): number {
    return ((this.nextUint32() + 0.5) / 2 ** 32) * 2 - 1;
  }
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}
