import { CLIPImageProcessor, RawImage, type ImageProcessor } from '@huggingface/transformers';
import { clipImageProcessorConfig } from '@accel/model-forge';
import { describe, expect, it } from 'vitest';
import { createPixelValuesReader } from '../src/index.js';
import { gradientPixels } from './fixtures/gradient-pixels.js';

// CLIP ViT-B/32's preprocessor_config.json.
const clipConfig = clipImageProcessorConfig() as { rescale_factor: number; image_mean: number[]; image_std: number[] };

// Landscape, portrait, upscaled, already the crop size, odd sizes.
const sizes: Array<[number, number]> = [
  [640, 480],
  [300, 517],
  [97, 61],
  [224, 224],
  [333, 257],
];

async function transformersResult(processor: ImageProcessor, image: ReturnType<typeof gradientPixels>) {
  const { pixel_values: values } = await processor.preprocess(new RawImage(image.data, image.width, image.height, 3));
  return { data: values.data as Float32Array, dims: values.dims };
}

function largestGap(left: Float32Array, right: Float32Array): number {
  let gap = 0;
  for (let index = 0; index < left.length; index += 1) gap = Math.max(gap, Math.abs(left[index]! - right[index]!));
  return gap;
}

describe('createPixelValuesReader (the sharp + typed-array route)', () => {
  const configs = {
    'CLIP (bicubic, crop 224)': clipConfig,
    'bilinear, integer crop, scalar mean/std': { ...clipConfig, resample: 2, crop_size: 160, size: { shortest_edge: 180 }, image_mean: 0.5, image_std: 0.5 },
    'nearest, no crop, no normalise': { ...clipConfig, resample: 0, do_center_crop: false, do_normalize: false, size: { shortest_edge: 128 } },
    'SigLIP-style: fixed height and width, no crop': { ...clipConfig, resample: 2, do_center_crop: false, size: { height: 96, width: 80 }, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] },
  };
  for (const [name, config] of Object.entries(configs)) {
    it(`equals transformers.js's preprocess within 1e-4: ${name}`, async () => {
      // (transformers.js's types say arrays; its preprocess also takes a scalar mean and std.)
      const processor = new CLIPImageProcessor(config as ConstructorParameters<typeof CLIPImageProcessor>[0]);
      const read = await createPixelValuesReader(processor);
      for (const [width, height] of sizes) {
        const image = gradientPixels(width, height, 7 + width);
        const expected = await transformersResult(processor, image);
        const actual = await read(image);
        expect(actual.dims).toEqual(expected.dims);
        expect(largestGap(actual.data, expected.data)).toBeLessThanOrEqual(1e-4);
      }
    });
  }

  it('keeps transformers.js for an image smaller than the crop (padding) and for settings it does not cover', async () => {
    const noResize = new CLIPImageProcessor({ ...clipConfig, do_resize: false });
    const small = gradientPixels(100, 90, 3);
    const expected = await transformersResult(noResize, small);
    const actual = await (await createPixelValuesReader(noResize))(small);
    expect(actual.dims).toEqual([3, 224, 224]);
    expect(largestGap(actual.data, expected.data)).toBe(0);

    const lanczos = new CLIPImageProcessor({ ...clipConfig, resample: 1 });
    const image = gradientPixels(320, 240, 5);
    expect(largestGap((await (await createPixelValuesReader(lanczos))(image)).data, (await transformersResult(lanczos, image)).data)).toBe(0);
  });

  // (Not the last row or column: sharp's affine, which transformers.js uses too, blends in the
  // black outside the image there.)
  it('writes channel-first values: a flat grey image gives one value per channel', async () => {
    const read = await createPixelValuesReader(new CLIPImageProcessor(clipConfig));
    const grey = { data: new Uint8Array(400 * 300 * 3).fill(128), width: 400, height: 300, channels: 3 as const };
    const { data, dims } = await read(grey);
    expect(dims).toEqual([3, 224, 224]);
    const plane = 224 * 224;
    for (let channel = 0; channel < 3; channel += 1) {
      const expected = (Math.fround(128 * clipConfig.rescale_factor) - clipConfig.image_mean[channel]!) / clipConfig.image_std[channel]!;
      expect(data[channel * plane]).toBeCloseTo(expected, 5);
      expect(data[channel * plane + 112 * 224 + 112]).toBeCloseTo(expected, 5);
    }
  });
});
