import type { RgbImage } from '../media/media-source.js';
import type { ImageProcessor } from '@huggingface/transformers';


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
