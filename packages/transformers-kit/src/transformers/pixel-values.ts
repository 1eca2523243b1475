import { UnsupportedError } from '@accel/core';
import { ByteShelf, readImageResized, readImageRows, type ImageInput, type ImageResizeTarget, type RgbImage } from '@accel/core/media';
import type { ImageProcessor, RawImage } from '@huggingface/transformers';
import pLimit from 'p-limit';
import { loadTransformersBuild } from './load-transformers.js';
import { createBicubicResizer, type BicubicResizer } from './bicubic-resize.js';
import { loadRgbResizer, resizesWithSharpAffine, type RgbResizer } from './resize-rgb.js';
import type { TransformersImageProcessor } from './transformers-types.js';

/** One preprocessed image: `data` in channel-first order, `dims` [3, height, width]. */
export interface PixelValues {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Reads an image (a path, encoded bytes, or raw pixels such as `readImage`'s result) into model input. */
export interface PixelValuesReader {
  (image: ImageInput): Promise<PixelValues>;
  /**
   * Hands back values this reader returned, once nothing reads them any more (the model has run on
   * them, or they were copied into a batch): the reader may write the next image's values into the
   * same array. Arrays of this size live outside V8's heap, and turning one over per image starts a
   * full garbage collection every few images. Optional to call; readers without a fast route do
   * not have it.
   */
  release?(values: PixelValues): void;
}

/**
 * The `preprocessor_config.json` fields of transformers.js's `ImageProcessor` (its constructor's
 * names and fallbacks), as `createPixelValuesReaderFromConfig` reads them.
 */
export interface ImageProcessorConfig {
  readonly image_mean?: number | readonly number[];
  readonly mean?: number | readonly number[];
  readonly image_std?: number | readonly number[];
  readonly std?: number | readonly number[];
  readonly resample?: number | string;
  readonly do_rescale?: boolean;
  readonly rescale_factor?: number;
  readonly do_normalize?: boolean;
  readonly do_thumbnail?: boolean;
  readonly size?: unknown;
  readonly image_size?: unknown;
  readonly do_resize?: boolean;
  readonly size_divisibility?: number;
  readonly size_divisor?: number;
  readonly do_center_crop?: boolean;
  readonly crop_size?: number | { readonly width: number; readonly height: number };
  readonly do_crop_margin?: boolean;
  readonly do_pad?: boolean;
  readonly do_flip_channel_order?: boolean;
  readonly max_size?: number;
  readonly keep_aspect_ratio?: boolean;
  readonly ensure_multiple_of?: number;
  readonly [field: string]: unknown;
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

/** What the fast route does to an image: the resize's target size (from the decoded size), the centre crop, and a value per byte per channel. */
interface FastRoute {
  readonly resize: ((width: number, height: number) => ImageResizeTarget) | undefined;
  readonly interpolator: ImageResizeTarget['interpolator'] | undefined;
  readonly crop: readonly [width: number, height: number] | undefined;
  readonly tables: readonly [Float32Array, Float32Array, Float32Array];
}

function fastRoute(
  settings: Pick<ProcessorSettings, 'do_resize' | 'resample' | 'do_center_crop' | 'crop_size' | 'do_rescale' | 'rescale_factor' | 'do_normalize' | 'image_mean' | 'image_std'>,
  outputSize: (width: number, height: number) => [number, number],
): FastRoute {
  const mean = perChannel(settings.do_normalize ? settings.image_mean : undefined, 0);
  const std = perChannel(settings.do_normalize ? settings.image_std : undefined, 1);
  const rescale = settings.do_rescale ? (settings.rescale_factor ?? 1 / 255) : 1;
  const interpolator = affineInterpolators[String(settings.resample)];
  // A byte has 256 values: each channel's rescaled, normalised value for each, computed as
  // transformers.js computes it (the rescaled value is stored in a Float32Array first).
  const tables = [0, 1, 2].map((channel) =>
    Float32Array.from({ length: 256 }, (_, byte) => (Math.fround(rescale * byte) - mean[channel]!) / std[channel]!),
  ) as [Float32Array, Float32Array, Float32Array];
  const { crop_size: cropSize } = settings;
  const crop: FastRoute['crop'] = settings.do_center_crop && cropSize !== undefined ? (typeof cropSize === 'number' ? [cropSize, cropSize] : [cropSize.width, cropSize.height]) : undefined;
  const resize =
    settings.do_resize && interpolator !== undefined
      ? (width: number, height: number): ImageResizeTarget => {
          const [targetWidth, targetHeight] = outputSize(width, height);
          return { width: targetWidth, height: targetHeight, interpolator };
        }
      : undefined;
  return { resize, interpolator: resize === undefined ? undefined : interpolator, crop, tables };
}

/** Model input of `width` × `height`, written a row of RGB bytes at a time through the lookup tables (rescale, normalise, channel-first layout). */
function channelFirstWriter(route: FastRoute, width: number, height: number, shelf: ByteShelf): { values: PixelValues; row(y: number, bytes: Uint8Array | Uint8ClampedArray, offset: number): void } {
  const [red, green, blue] = route.tables;
  const plane = width * height;
  // Every value is written (each row covers the width, all rows are written), so a reused array's old contents never show.
  const output = new Float32Array(shelf.take(3 * plane * 4).buffer, 0, 3 * plane);
  return {
    values: { data: output, dims: [3, height, width] },
    row(y, bytes, offset) {
      for (let x = 0, source = offset, target = y * width; x < width; x += 1, source += 3, target += 1) {
        output[target] = red[bytes[source]!]!;
        output[plane + target] = green[bytes[source + 1]!]!;
        output[2 * plane + target] = blue[bytes[source + 2]!]!;
      }
    },
  };
}

/** The crop, rescale, normalisation and channel-first layout of a decoded image. */
function toChannelFirst(route: FastRoute, shelf: ByteShelf, data: Uint8Array, width: number, left: number, top: number, cropWidth: number, cropHeight: number): PixelValues {
  const writer = channelFirstWriter(route, cropWidth, cropHeight, shelf);
  for (let y = 0; y < cropHeight; y += 1) writer.row(y, data, ((top + y) * width + left) * 3);
  return writer.values;
}

/** The centre crop's offsets in an image of this size (transformers.js's `center_crop` rounding). */
function centreCrop(crop: readonly [number, number], width: number, height: number): [left: number, top: number] {
  return [Math.floor((width - crop[0]) / 2), Math.floor((height - crop[1]) / 2)];
}

/** Images one fast reader decodes at once (Node's thread pool has 4 threads; the other calls wait their turn). */
export const concurrentReads = 4;

/**
 * The reader of a fast route. Bicubic resizes (CLIP's, most ViT processors') are computed here as
 * rows decode (`readImageRows`: a PNG decodes on the thread pool, whole with `@napi-rs/image` when
 * it is installed, else in rows that this thread resizes while the rest inflates) and for the centre crop only, with `createBicubicResizer`, which equals the
 * sharp `affine` call transformers.js makes byte for byte. Other resizes decode and resize in one
 * sharp pipeline (`readImageResized`), or, for raw pixels and images sharp's pipeline cannot
 * resize as transformers.js does, decode and then resize with one sharp `affine` call. Then the
 * crop, rescale, normalisation and channel-first layout in one pass through the lookup tables.
 * Images smaller than the crop (padded by transformers.js) and, without sharp (the browser
 * build), images that need a resize go to `viaTransformers`, with the image as decoded.
 */
function fastReader(route: FastRoute, resizeRgb: RgbResizer | undefined, viaTransformers: (image: RgbImage) => Promise<PixelValues>): PixelValuesReader {
  const { crop } = route;
  const fits = (target: ImageResizeTarget) => crop === undefined || (crop[0] <= target.width && crop[1] <= target.height);
  // Resized inside the decode only when sharp is there, and when the result can be cropped here.
  const resizeInDecode =
    route.resize === undefined || resizeRgb === undefined
      ? () => undefined
      : (width: number, height: number) => {
          const target = route.resize!(width, height);
          return fits(target) ? target : undefined;
        };

  const decodedImages = new ByteShelf();
  // The model input's array, handed back through `release` (a shelf takes back only arrays it made).
  const valueShelf = new ByteShelf();

  /** The bicubic route: resize and crop as the rows decode. */
  const readBicubic = async (input: ImageInput, resize: (width: number, height: number) => ImageResizeTarget): Promise<PixelValues> => {
    let target: ImageResizeTarget | undefined;
    let resizer: BicubicResizer | undefined;
    let values: PixelValues | undefined;
    const image = await readImageRows(input, ({ data, width, height }, rows) => {
      if (target === undefined) {
        target = resize(width, height);
        if ((target.width !== width || target.height !== height) && fits(target)) {
          const [cropWidth, cropHeight] = crop ?? [target.width, target.height];
          const [left, top] = crop === undefined ? [0, 0] : centreCrop(crop, target.width, target.height);
          const writer = channelFirstWriter(route, cropWidth, cropHeight, valueShelf);
          values = writer.values;
          resizer = createBicubicResizer(width, height, target.width, target.height, { left, top, width: cropWidth, height: cropHeight }, (y, row) => writer.row(y, row, 0));
        }
      }
      resizer?.advance(data, rows);
    }, { shelf: decodedImages });
    if (values !== undefined) {
      // Resized: the decoded image's array can take the next image.
      decodedImages.put(image.data);
      return values;
    }
    // Already the target size, or resized to less than the crop (transformers.js then pads it).
    return target!.width === image.width && target!.height === image.height ? cropAndNormalise(image) : viaTransformers(image);
  };

  const cropAndNormalise = (image: RgbImage): Promise<PixelValues> | PixelValues => {
    const { data, width, height } = image;
    if (crop === undefined) return toChannelFirst(route, valueShelf, data, width, 0, 0, width, height);
    // An image smaller than the crop is padded by transformers.js; that case keeps its route.
    if (crop[0] > width || crop[1] > height) return viaTransformers(image);
    return toChannelFirst(route, valueShelf, data, width, ...centreCrop(crop, width, height), crop[0], crop[1]);
  };

  const read = async (input: ImageInput): Promise<PixelValues> => {
    if (route.resize !== undefined && route.interpolator === 'bicubic' && resizesWithSharpAffine) return readBicubic(input, route.resize);
    const decoded = await readImageResized(input, resizeInDecode);
    let image = decoded.image;
    if (!decoded.resized && route.resize !== undefined) {
      const { width, height } = image;
      const target = route.resize(width, height);
      if (target.width !== width || target.height !== height) {
        // No sharp (the browser build), or an image smaller than the crop: transformers.js's own route.
        if (resizeRgb === undefined || !fits(target)) return viaTransformers(decoded.image);
        const resized = await resizeRgb(image, target.width, target.height, target.interpolator);
        if (resized === undefined) return viaTransformers(decoded.image);
        image = { ...resized, channels: 3 };
      }
    }
    return cropAndNormalise(image);
  };
  // A batch's images are read a few at a time, not all at once: more in flight would not decode
  // faster (the inflating runs on the thread pool's threads, sharp on its own), but each holds its
  // file, decoded image and model input at once.
  const limit = pLimit(concurrentReads);
  return Object.assign((input: ImageInput) => limit(read, input), {
    release: (values: PixelValues) => valueShelf.put(new Uint8Array(values.data.buffer)),
  });
}

/** transformers.js's `preprocess` of an RGB image with this processor (its Node build). */
async function transformersPreprocess(processor: TransformersImageProcessor): Promise<(image: RgbImage) => Promise<PixelValues>> {
  const { module: transformers, build } = await loadTransformersBuild();
  return async (image) => {
    if (build === 'web') {
      throw new UnsupportedError({
        feature: 'image preprocessing beyond resize, centre crop, rescale and normalise without onnxruntime-node',
        message: `${processor.constructor.name} settings that accel does not preprocess itself need transformers.js's Node build, which requires onnxruntime-node`,
      });
    }
    const { pixel_values: pixelValues } = await (processor as ImageProcessor).preprocess(new transformers.RawImage(image.data, image.width, image.height, 3));
    return { data: pixelValues.data as Float32Array, dims: pixelValues.dims };
  };
}

/**
 * Turns images into model input exactly as the processor's transformers.js `preprocess` does
 * (resize, centre crop, rescale, normalise), but faster where it can: the decode and the resize are
 * one sharp pipeline whose resize is the `affine` call transformers.js makes in Node, and the crop,
 * rescale, normalisation and channel-first layout are one pass through a lookup table per channel
 * instead of several copies and a generic tensor permute. Results equal transformers.js's (checked
 * in tests); settings the fast route does not cover go through `processor.preprocess` itself, which
 * needs transformers.js's Node build (its web build has no image library in Node).
 */
export async function createPixelValuesReader(processor: TransformersImageProcessor): Promise<PixelValuesReader> {
  const { module: transformers } = await loadTransformersBuild();
  const viaTransformers = await transformersPreprocess(processor);
  const settings = fastRouteSettings(processor as ImageProcessor, transformers.ImageProcessor);
  if (settings === undefined) return async (input) => viaTransformers((await readImageResized(input, () => undefined)).image);
  const route = fastRoute(settings, (width, height) => settings.get_resize_output_image_size(new transformers.RawImage(new Uint8Array(0), width, height, 3), settings.size));
  return fastReader(route, await loadRgbResizer(), viaTransformers);
}

/** `ImageProcessor.get_resize_output_image_size` for the `size` forms the config route covers; undefined for the others. */
function configOutputSize(config: ImageProcessorConfig, size: unknown): ((width: number, height: number) => [number, number]) | undefined {
  if (config.size_divisibility !== undefined || config.size_divisor !== undefined) return undefined;
  let shortest: number | undefined;
  let longest: number | undefined;
  if (Number.isInteger(size)) {
    shortest = size as number;
    longest = config.max_size ?? shortest;
  } else if (typeof size === 'object' && size !== null) {
    const edges = size as { shortest_edge?: unknown; longest_edge?: unknown; width?: unknown; height?: unknown };
    const positive = (value: unknown) => typeof value === 'number' && value > 0;
    if (edges.shortest_edge !== undefined || edges.longest_edge !== undefined) {
      if ((edges.shortest_edge !== undefined && !positive(edges.shortest_edge)) || (edges.longest_edge !== undefined && !positive(edges.longest_edge))) return undefined;
      shortest = edges.shortest_edge as number | undefined;
      longest = edges.longest_edge as number | undefined;
    } else if (Number.isInteger(edges.width) && Number.isInteger(edges.height) && positive(edges.width) && positive(edges.height)) {
      if (config.keep_aspect_ratio && config.ensure_multiple_of) return undefined;
      return () => [edges.width as number, edges.height as number];
    } else return undefined;
  } else return undefined;
  // transformers.js's arithmetic, step for step (its toFixed(2) included).
  return (width, height) => {
    const shortFactor = shortest === undefined ? 1 : Math.max(shortest / width, shortest / height);
    const [newWidth, newHeight] = [width * shortFactor, height * shortFactor];
    const longFactor = longest === undefined ? 1 : Math.min(longest / newWidth, longest / newHeight);
    return [Math.floor(Number((newWidth * longFactor).toFixed(2))), Math.floor(Number((newHeight * longFactor).toFixed(2)))];
  };
}

/**
 * `createPixelValuesReader` for a processor known by its `preprocessor_config.json` alone, without
 * importing transformers.js (a large module graph, loaded again in each worker thread) when the fast route
 * covers the settings: for processor classes that keep `ImageProcessor`'s own `preprocess`, `resize`
 * and `get_resize_output_image_size` (`CLIPImageProcessor`, `ViTImageProcessor`, `SiglipImageProcessor`
 * and the others that add nothing to it; the kit's tests check CLIP's), whose settings this reads as
 * `ImageProcessor`'s constructor does. `loadProcessor` makes the transformers.js processor for the
 * rest — settings the fast route does not cover, images smaller than the crop, resizes without sharp —
 * and is called only then.
 */
export async function createPixelValuesReaderFromConfig(config: ImageProcessorConfig, loadProcessor: () => Promise<TransformersImageProcessor>): Promise<PixelValuesReader> {
  const size = config.size ?? config.image_size;
  const settings = {
    do_resize: config.do_resize ?? size !== undefined,
    resample: config.resample ?? 2,
    do_center_crop: config.do_center_crop,
    crop_size: config.crop_size,
    do_rescale: config.do_rescale ?? true,
    rescale_factor: config.rescale_factor ?? 1 / 255,
    do_normalize: config.do_normalize,
    image_mean: config.image_mean ?? config.mean,
    image_std: config.image_std ?? config.std,
  };
  const outputSize = configOutputSize(config, size);
  const covered =
    !config.do_crop_margin &&
    !config.do_thumbnail &&
    !config.do_pad &&
    !config.do_flip_channel_order &&
    (!settings.do_resize || (outputSize !== undefined && affineInterpolators[String(settings.resample)] !== undefined)) &&
    (!settings.do_center_crop || settings.crop_size !== undefined) &&
    perChannel(settings.image_mean, 0).length === 3 &&
    perChannel(settings.image_std, 1).length === 3;
  if (!covered) return createPixelValuesReader(await loadProcessor());
  let viaTransformers: Promise<(image: RgbImage) => Promise<PixelValues>> | undefined;
  const slow = async (image: RgbImage) => (await (viaTransformers ??= loadProcessor().then(transformersPreprocess)))(image);
  return fastReader(fastRoute(settings, outputSize ?? ((width, height) => [width, height])), await loadRgbResizer(), slow);
}
