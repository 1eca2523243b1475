import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as transformers from '@huggingface/transformers';
import { CLIPImageProcessor, ImageProcessor, RawImage } from '@huggingface/transformers';
import { clipImageProcessorConfig } from '@accel/model-forge';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPixelValuesReaderFromConfig, type ImageProcessorConfig } from '../src/index.js';
import { gradientPixels } from './fixtures/gradient-pixels.js';

// CLIP ViT-B/32's preprocessor_config.json.
const clipConfig = clipImageProcessorConfig() as ImageProcessorConfig;

function largestGap(left: Float32Array, right: Float32Array): number {
  let gap = 0;
  for (let index = 0; index < left.length; index += 1) gap = Math.max(gap, Math.abs(left[index]! - right[index]!));
  return gap;
}

/** The reader, and how often it made the transformers.js processor. */
async function readerOf(config: ImageProcessorConfig) {
  const made = { count: 0 };
  const read = await createPixelValuesReaderFromConfig(config, async () => {
    made.count += 1;
    return new CLIPImageProcessor(config as ConstructorParameters<typeof CLIPImageProcessor>[0]);
  });
  return { read, made };
}

/** What transformers.js gives for an encoded image, read the way its documentation reads one (`RawImage.read`, then the processor). */
async function transformersResult(config: ImageProcessorConfig, image: string | Uint8Array) {
  const processor = new CLIPImageProcessor(config as ConstructorParameters<typeof CLIPImageProcessor>[0]);
  const raw = typeof image === 'string' ? await RawImage.read(image) : await RawImage.fromBlob(new Blob([image as Uint8Array<ArrayBuffer>]));
  const { pixel_values: values } = await processor(raw);
  return { data: values.data as Float32Array, dims: values.dims.slice(1) };
}

const raw = (width: number, height: number, seed: number) => {
  const { data } = gradientPixels(width, height, seed);
  return sharp(data, { raw: { width, height, channels: 3 } });
};

describe('createPixelValuesReaderFromConfig (no transformers.js unless needed)', () => {
  let folder = '';
  const files: Record<string, string | Uint8Array> = {};
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'accel-pixel-values-'));
    const encoded: Record<string, Buffer> = {
      'landscape PNG': await raw(640, 480, 7).png().toBuffer(),
      'portrait JPEG': await raw(300, 517, 5).jpeg().toBuffer(),
      'JPEG rotated by its EXIF orientation (6)': await raw(333, 257, 3).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
      'lossless WebP, odd size': await raw(97, 261, 9).webp({ lossless: true }).toBuffer(),
      'PNG with alpha (resized after decoding)': await raw(320, 240, 4).ensureAlpha(0.5).png().toBuffer(),
    };
    for (const [name, bytes] of Object.entries(encoded)) {
      const path = join(folder, `${Object.keys(files).length}.img`);
      await writeFile(path, bytes);
      files[`${name}, as a path`] = path;
      files[`${name}, as bytes`] = new Uint8Array(bytes);
    }
  });
  afterAll(async () => rm(folder, { recursive: true, force: true }));

  it('writes the next image into values handed back with release, and gives the same values as a fresh array', async () => {
    const { read } = await readerOf(clipConfig);
    const [first, second] = [files['landscape PNG, as a path']!, files['portrait JPEG, as bytes']!];
    const fresh = await (await readerOf(clipConfig)).read(second);
    const firstValues = await read(first);
    const kept = await read(second);
    // Not handed back: a new array each time.
    expect(kept.data.buffer).not.toBe(firstValues.data.buffer);
    read.release!(firstValues);
    const reused = await read(second);
    expect(reused.data.buffer).toBe(firstValues.data.buffer);
    expect(reused.dims).toEqual(fresh.dims);
    expect(Buffer.from(reused.data.buffer, reused.data.byteOffset, reused.data.byteLength).equals(Buffer.from(fresh.data.buffer, fresh.data.byteOffset, fresh.data.byteLength))).toBe(true);
  });

  const configs: Record<string, ImageProcessorConfig> = {
    'CLIP (bicubic, shortest edge 224, crop 224)': clipConfig,
    'bilinear, integer size (max_size), integer crop, scalar mean/std': { ...clipConfig, resample: 2, size: 180, max_size: 400, crop_size: 140, image_mean: 0.5, image_std: 0.5 },
    'nearest, shortest and longest edge, no crop, no normalise': { ...clipConfig, resample: 0, do_center_crop: false, do_normalize: false, size: { shortest_edge: 128, longest_edge: 150 } },
    'fixed height and width, no crop (SigLIP-style)': { ...clipConfig, resample: 2, do_center_crop: false, size: { height: 96, width: 80 } },
  };
  for (const [name, config] of Object.entries(configs)) {
    it(`equals RawImage.read + transformers.js's CLIPImageProcessor within 1e-4, without making it: ${name}`, async () => {
      const { read, made } = await readerOf(config);
      for (const [image, input] of Object.entries(files)) {
        const expected = await transformersResult(config, input);
        const actual = await read(input);
        expect(actual.dims, image).toEqual(expected.dims);
        expect(largestGap(actual.data, expected.data), image).toBeLessThanOrEqual(1e-4);
      }
      // Raw pixels too.
      const pixels = gradientPixels(333, 257, 8);
      const { pixel_values: values } = await new CLIPImageProcessor(config as never)(new RawImage(pixels.data, 333, 257, 3));
      expect(largestGap((await read(pixels)).data, values.data as Float32Array)).toBeLessThanOrEqual(1e-4);
      expect(made.count).toBe(0);
    });
  }

  it('makes the transformers.js processor for an image smaller than the crop (padding), once, and for settings it does not cover', async () => {
    const noResize = { ...clipConfig, do_resize: false };
    const { read, made } = await readerOf(noResize);
    const small = gradientPixels(100, 90, 3);
    const { pixel_values: expected } = await new CLIPImageProcessor(noResize as never)(new RawImage(small.data, 100, 90, 3));
    for (let round = 0; round < 2; round += 1) {
      const actual = await read(small);
      expect(actual.dims).toEqual([3, 224, 224]);
      expect(largestGap(actual.data, expected.data as Float32Array)).toBe(0);
    }
    expect(made.count).toBe(1);

    const lanczos = { ...clipConfig, resample: 1 };
    const uncovered = await readerOf(lanczos);
    expect(uncovered.made.count).toBe(1);
    const image = gradientPixels(320, 240, 5);
    const { pixel_values: lanczosValues } = await new CLIPImageProcessor(lanczos as never)(new RawImage(image.data, 320, 240, 3));
    expect(largestGap((await uncovered.read(image)).data, lanczosValues.data as Float32Array)).toBe(0);
  });

  // The config route reads settings as ImageProcessor's constructor does and runs its preprocess:
  // true of CLIPImageProcessor only while it adds nothing to ImageProcessor.
  it("relies on CLIPImageProcessor being ImageProcessor's own preprocessing", () => {
    expect(Object.getPrototypeOf(CLIPImageProcessor)).toBe(ImageProcessor);
    expect(Object.getOwnPropertyNames(CLIPImageProcessor.prototype)).toEqual(['constructor']);
    expect(CLIPImageProcessor.toString()).not.toContain('constructor(');
    expect(transformers.CLIPFeatureExtractor.prototype).toBeInstanceOf(CLIPImageProcessor);
  });

  it('names an undecodable file in a typed error', async () => {
    const { read } = await readerOf(clipConfig);
    await expect(read(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT' });
    await expect(read(folder)).rejects.toThrow(/is a directory/);
  });
});
