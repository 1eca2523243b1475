import { UnsupportedError } from '@accel/core';
import type { RgbImage } from '@accel/core/media';
import type { ImageProcessor, RawImage } from '@huggingface/transformers';
import { loadTransformersBuild } from './load-transformers.js';
import { loadRgbResizer } from './resize-rgb.js';
import type { TransformersImageProcessor } from './transformers-types.js';

/** One preprocessed image: `data` in channel-first order, `dims` [3, height, width]. */
export interface PixelValues {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** The settings of transformers.js's `ImageProcessor` that its `preprocess` reads (public fields). */
interface ProcessorSettings {
  readonly do_crop_margin?: boolean;
  readonly do_resize?: boolean;
  readonly do_thumbnail?: boolean;
  readonly do_center_crop?: boolean;
  readonly do_rescale?: boolean;
  readonly do_normalize?: boolean;
  readonly do_pad?: boolean;
  readonly do_flip_channel_order?: boolean;
  readonly size?: unknown;
  readonly resample?: number | string;
  readonly crop_size?: number | { readonly width: number; readonly height: number };
  readonly rescale_factor?: number;
  readonly image_mean?: number | readonly number[];
  readonly image_std?: number | readonly number[];
  get_resize_output_image_size(image: RawImage, size: unknown): [number, number];
}

/** transformers.js's resample codes that its Node `RawImage.resize` maps to sharp's `affine`. */
const affineInterpolators: Readonly<Record<string, 'nearest' | 'bilinear' | 'bicubic'>> = {
  0: 'nearest',
  2: 'bilinear',
  3: 'bicubic',
  nearest: 'nearest',
  bilinear: 'bilinear',
  bicubic: 'bicubic',
};

function perChannel(value: number | readonly number[] | undefined, fallback: number): readonly number[] {
  if (value === undefined) return [fallback, fallback, fallback];
  return typeof value === 'number' ? [value, value, value] : value;
}

/**
 * The fast route for processors that use `ImageProcessor`'s own `preprocess` and `resize` with
 * settings it covers: resize, centre crop, rescale and normalise. Anything else (padding, margin
 * crop, thumbnails, channel flips, Lanczos) is left to transformers.js.
 */
function fastRouteSettings(processor: ImageProcessor, Base: typeof ImageProcessor): ProcessorSettings | undefined {
  const settings = processor as unknown as ProcessorSettings & { preprocess: unknown; resize: unknown };
  if (settings.preprocess !== Base.prototype.preprocess || settings.resize !== Base.prototype.resize) return undefined;
  if (settings.do_crop_margin || settings.do_thumbnail || settings.do_pad || settings.do_flip_channel_order) return undefined;
  if (settings.do_resize && affineInterpolators[String(settings.resample)] === undefined) return undefined;
  if (perChannel(settings.image_mean, 0).length !== 3 || perChannel(settings.image_std, 1).length !== 3) return undefined;
  return settings;
}

/**
 * Turns decoded images into model input exactly as the processor's transformers.js
 * `preprocess` does (resize, centre crop, rescale, normalise), but faster where it can: the
 * resize is the same single sharp `affine` call transformers.js makes in Node, and the crop,
 * rescale, normalisation and channel-first layout are one pass through a lookup table per
 * channel instead of several copies and a generic tensor permute. Results equal transformers.js's (checked in tests);
 * settings the fast route does not cover go through `processor.preprocess` itself, which needs
 * transformers.js's Node build (its web build has no image library in Node).
 */
export async function createPixelValuesReader(processor: TransformersImageProcessor): Promise<(image: RgbImage) => Promise<PixelValues>> {
  const { module: transformers, build } = await loadTransformersBuild();
  const viaTransformers = async (image: RgbImage): Promise<PixelValues> => {
    if (build === 'web') {
      throw new UnsupportedError({
        feature: 'image preprocessing beyond resize, centre crop, rescale and normalise without onnxruntime-node',
        message: `${processor.constructor.name} settings that accel does not preprocess itself need transformers.js's Node build, which requires onnxruntime-node`,
      });
    }
    const { pixel_values: pixelValues } = await processor.preprocess(new transformers.RawImage(image.data, image.width, image.height, 3));
    return { data: pixelValues.data as Float32Array, dims: pixelValues.dims };
  };
  const settings = fastRouteSettings(processor, transformers.ImageProcessor);
  if (settings === undefined) return viaTransformers;
  const resizeRgb = await loadRgbResizer();
  const mean = perChannel(settings.do_normalize ? settings.image_mean : undefined, 0);
  const std = perChannel(settings.do_normalize ? settings.image_std : undefined, 1);
  const rescale = settings.do_rescale ? (settings.rescale_factor ?? 1 / 255) : 1;
  const interpolator = affineInterpolators[String(settings.resample)];
  // A byte has 256 values: each channel's rescaled, normalised value for each, computed as
  // transformers.js computes it (the rescaled value is stored in a Float32Array first).
  const [red, green, blue] = [0, 1, 2].map((channel) =>
    Float32Array.from({ length: 256 }, (_, byte) => (Math.fround(rescale * byte) - mean[channel]!) / std[channel]!),
  ) as [Float32Array, Float32Array, Float32Array];

  return async (image) => {
    let { data, width, height } = image;
    if (settings.do_resize && interpolator !== undefined) {
      const [targetWidth, targetHeight] = settings.get_resize_output_image_size(new transformers.RawImage(data, width, height, 3), settings.size);
      if (targetWidth !== width || targetHeight !== height) {
        // No sharp (the browser build): transformers.js resizes, as its own preprocess does there.
        if (resizeRgb === undefined) return viaTransformers(image);
        const resized = await resizeRgb({ data, width, height }, targetWidth, targetHeight, interpolator);
        if (resized === undefined) return viaTransformers(image);
        ({ data, width, height } = resized);
      }
    }
    let [cropWidth, cropHeight, left, top] = [width, height, 0, 0];
    if (settings.do_center_crop && settings.crop_size !== undefined) {
      [cropWidth, cropHeight] = typeof settings.crop_size === 'number' ? [settings.crop_size, settings.crop_size] : [settings.crop_size.width, settings.crop_size.height];
      // An image smaller than the crop is padded by transformers.js; that case keeps its route.
      if (cropWidth > width || cropHeight > height) return viaTransformers(image);
      [left, top] = [Math.floor((width - cropWidth) / 2), Math.floor((height - cropHeight) / 2)];
    }
    const plane = cropWidth * cropHeight;
    const output = new Float32Array(3 * plane);
    for (let y = 0; y < cropHeight; y += 1) {
      let source = ((top + y) * width + left) * 3;
      let target = y * cropWidth;
      for (let x = 0; x < cropWidth; x += 1, source += 3, target += 1) {
        output[target] = red[data[source]!]!;
        output[plane + target] = green[data[source + 1]!]!;
        output[2 * plane + target] = blue[data[source + 2]!]!;
      }
    }
    return { data: output, dims: [3, cropHeight, cropWidth] };
  };
}
