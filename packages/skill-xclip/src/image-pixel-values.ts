import type { RgbImage } from '@accel/core/media';
import type { ImageProcessor } from '@huggingface/transformers';

/*
 * Generic: decoded RGB → a transformers.js image processor → CHW float pixels. A candidate for
 * `@accel/core` (skill-clip keeps the same file; skill-llava and others need the same glue).
 */

/** One preprocessed image: `data` in channel-first order, `dims` [3, height, width]. */
export interface PixelValues {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Turns decoded images into model input with `processor` (resize, crop, rescale, normalise, exactly as transformers.js does). */
export async function createPixelValuesReader(processor: ImageProcessor): Promise<(image: RgbImage) => Promise<PixelValues>> {
  const { RawImage } = await import('@huggingface/transformers');
  return async (image) => {
    const { pixel_values: pixelValues } = await processor.preprocess(new RawImage(image.data, image.width, image.height, 3));
    return { data: pixelValues.data as Float32Array, dims: pixelValues.dims };
  };
}
