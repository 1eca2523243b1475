import { clipImageProcessorConfig } from '@accel/model-forge';
import type * as media from '@accel/core/media';
import type { ImageInput, RgbImage } from '@accel/core/media';
import { describe, expect, it, vi } from 'vitest';
import { concurrentReads } from '../src/transformers/pixel-values.js';
import { createPixelValuesReaderFromConfig, type ImageProcessorConfig } from '../src/index.js';

// readImageRows, replaced: each read waits for the test to release it, so the test sees how many are in flight.
const reads = vi.hoisted(() => ({ active: 0, most: 0, waiting: [] as Array<() => void> }));
vi.mock('@accel/core/media', async (original) => ({
  ...(await original<typeof media>()),
  readImageRows: async (_input: ImageInput, onRows: (image: RgbImage, rows: number) => void): Promise<RgbImage> => {
    reads.active += 1;
    reads.most = Math.max(reads.most, reads.active);
    await new Promise<void>((resolve) => reads.waiting.push(resolve));
    const image: RgbImage = { data: new Uint8Array(640 * 480 * 3).fill(128), width: 640, height: 480, channels: 3 };
    onRows(image, image.height);
    reads.active -= 1;
    return image;
  },
}));

describe('a pixel values reader', () => {
  it(`decodes at most ${concurrentReads} images at once, and answers every call`, async () => {
    const read = await createPixelValuesReaderFromConfig(clipImageProcessorConfig() as ImageProcessorConfig, () => Promise.reject(new Error('not needed')));
    const results = Array.from({ length: 3 * concurrentReads + 1 }, (_, index) => read(`image-${index}.png`));
    let answered = 0;
    for (const result of results) void result.then(() => (answered += 1));
    while (answered < results.length) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(reads.active).toBeLessThanOrEqual(concurrentReads);
      reads.waiting.splice(0).forEach((release) => release());
    }
    expect(reads.most).toBe(concurrentReads);
    const values = await Promise.all(results);
    expect(values.map((value) => value.dims)).toEqual(results.map(() => [3, 224, 224]));
  });
});
