import { describe, expect, it } from 'vitest';
import { splitIntoWindows } from '../src/audio-windows.js';

describe('30-second windows', () => {
  it('keeps short audio whole and cuts long audio into windows overlapping by 5 s on each inner side', () => {
    const rate = 100;
    expect(splitIntoWindows(new Float32Array(12 * rate), rate, 30, 5).map((window) => window.stride)).toEqual([[12, 0, 0]]);
    const windows = splitIntoWindows(new Float32Array(70 * rate), rate, 30, 5);
    expect(windows.map((window) => window.stride)).toEqual([
      [30, 0, 5],
      [30, 5, 5],
      [30, 5, 0],
    ]);
    expect(windows.map((window) => window.samples.byteOffset / 4 / rate)).toEqual([0, 20, 40]);
    expect(windows.map((window) => window.seconds)).toEqual([30, 30, 30]);
    const uneven = splitIntoWindows(new Float32Array(41 * rate), rate, 30, 5);
    expect(uneven.map((window) => window.stride)).toEqual([
      [30, 0, 5],
      [21, 5, 0],
    ]);
  });
});
