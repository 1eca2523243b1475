import type { RgbImage } from '@accel/core/media';
import type { AnyResolutionLayout } from './any-resolution.js';

/** How tiles are resized and normalised (from `preprocessor_config.json`). */
export interface TileNormalization {
  readonly tileSize: number;
  /** sharp's resize kernel for PIL's `resample` (3, bicubic → `cubic`). */
  readonly kernel: 'nearest' | 'linear' | 'cubic' | 'lanczos3';
  readonly rescaleFactor: number;
  readonly mean: readonly [number, number, number];
  readonly standardDeviation: readonly [number, number, number];
}

/** PIL resample codes to sharp kernels. */
export function resizeKernel(resample: number | undefined): TileNormalization['kernel'] {
  return resample === 0 ? 'nearest' : resample === 1 ? 'lanczos3' : resample === 2 ? 'linear' : 'cubic';
}

/**
 * An image's vision inputs in LLaVA-Next order: the whole image resized to one tile, then the
 * image resized to fit its chosen resolution (aspect ratio kept), padded with black around the
 * centre, and cut into tiles row by row. Returns [tiles, 3, S, S] pixel values, rescaled and
 * normalised, flattened.
 */
export async function tileImage(image: RgbImage, layout: AnyResolutionLayout, normalization: TileNormalization): Promise<Float32Array> {
  const { default: sharp } = await import('sharp');
  const { tileSize: size, kernel } = normalization;
  const resize = async (width: number, height: number) =>
    new Uint8Array(await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(width, height, { fit: 'fill', kernel }).raw().toBuffer());

  const [height, width] = layout.resolution;
  const [resizedHeight, resizedWidth] = layout.resized;
  const resized = await resize(resizedWidth, resizedHeight);
  const canvas = new Uint8Array(height * width * 3);
  for (let row = 0; row < resizedHeight; row += 1) {
    const from = row * resizedWidth * 3;
    canvas.set(resized.subarray(from, from + resizedWidth * 3), ((layout.offset.top + row) * width + layout.offset.left) * 3);
  }

  const tilePixels = size * size;
  const values = new Float32Array(layout.tiles * 3 * tilePixels);
  const writeTile = (tile: number, source: Uint8Array, sourceWidth: number, top: number, left: number) => {
    for (let channel = 0; channel < 3; channel += 1) {
      const mean = normalization.mean[channel]!;
      const deviation = normalization.standardDeviation[channel]!;
      const base = (tile * 3 + channel) * tilePixels;
      for (let y = 0; y < size; y += 1) {
        for (let x = 0; x < size; x += 1) {
          const pixel = source[((top + y) * sourceWidth + left + x) * 3 + channel]!;
          values[base + y * size + x] = (pixel * normalization.rescaleFactor - mean) / deviation;
        }
      }
    }
  };
  writeTile(0, await resize(size, size), size, 0, 0);
  for (let row = 0; row < layout.rows; row += 1) {
    for (let column = 0; column < layout.columns; column += 1) writeTile(1 + row * layout.columns + column, canvas, width, row * size, column * size);
  }
  return values;
}
