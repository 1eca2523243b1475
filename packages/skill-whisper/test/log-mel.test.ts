import { WhisperFeatureExtractor } from '@huggingface/transformers';
import { readAudio } from '@accel/core/media';
import { forgeModel } from '@accel/model-forge';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComplexFft } from '../src/fft.js';
import { createLogMelExtractor, type WhisperFeatureExtractorLike } from '../src/log-mel.js';
import { createSpeechFixtures, type SpeechFixtures } from './helpers/speech.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let fixtures: SpeechFixtures;
let extractor: WhisperFeatureExtractorLike;

beforeAll(async () => {
  fixtures = await createSpeechFixtures();
  const { directory } = await forgeModel('Xenova/whisper-tiny', { root: modelRoot });
  const config = JSON.parse(await readFile(join(directory, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
  extractor = new WhisperFeatureExtractor(config) as unknown as WhisperFeatureExtractorLike;
});
afterAll(() => fixtures.remove());

function largestDifference(left: Float32Array, right: Float32Array): number {
  let largest = 0;
  for (let index = 0; index < left.length; index += 1) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

function noise(length: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648 - 0.5) * 0.6;
  });
}

describe('the fast log-mel route', () => {
  it('is a mixed-radix FFT equal to the discrete Fourier transform', () => {
    for (const size of [8, 12, 200, 30, 49]) {
      const real = Float64Array.from({ length: size }, (_, index) => Math.sin(index * 1.3) + index / size);
      const imaginary = Float64Array.from({ length: size }, (_, index) => Math.cos(index * 0.7));
      const expectedReal = new Float64Array(size);
      const expectedImaginary = new Float64Array(size);
      for (let k = 0; k < size; k += 1) {
        for (let n = 0; n < size; n += 1) {
          const angle = (-2 * Math.PI * k * n) / size;
          expectedReal[k]! += real[n]! * Math.cos(angle) - imaginary[n]! * Math.sin(angle);
          expectedImaginary[k]! += real[n]! * Math.sin(angle) + imaginary[n]! * Math.cos(angle);
        }
      }
      new ComplexFft(size).transform(real, imaginary);
      real.forEach((value, index) => expect(Math.abs(value - expectedReal[index]!)).toBeLessThan(1e-9));
      imaginary.forEach((value, index) => expect(Math.abs(value - expectedImaginary[index]!)).toBeLessThan(1e-9));
    }
  });

  it('matches transformers.js WhisperFeatureExtractor within 1e-4 on speech, noise, silence and a full window', async () => {
    const speech = (await readAudio(fixtures.shortWav, { sampleRate: 16000 })).samples;
    const long = (await readAudio(fixtures.longWav, { sampleRate: 16000 })).samples;
    const inputs = [speech, noise(16000 * 7 + 123, 7), new Float32Array(16000), long.subarray(0, 480000), long.subarray(5000, 5150), noise(480000, 3)];
    const fast = createLogMelExtractor(extractor);
    expect(fast.route).toBe('fast');
    const batch = await fast.extract(inputs);
    expect(batch.dims).toEqual([inputs.length, 80, 3000]);
    for (const [index, input] of inputs.entries()) {
      const reference = (await extractor(input)).input_features;
      expect(reference.dims).toEqual([1, 80, 3000]);
      const ours = batch.data.subarray(index * 80 * 3000, (index + 1) * 80 * 3000);
      expect(largestDifference(ours, reference.data as Float32Array), `input ${index}`).toBeLessThan(1e-4);
    }
  });
});
