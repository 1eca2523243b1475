/** An RGB image, 3 bytes per pixel. */
export interface RgbPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Resizes RGB pixels as transformers.js's Node `RawImage.resize` does; undefined when the result is not 3-channel. */
export type RgbResizer = (image: RgbPixels, width: number, height: number, interpolator: 'nearest' | 'bilinear' | 'bicubic') => Promise<RgbPixels | undefined>;

/**
 * Whether transformers.js resizes with sharp's `affine` in this build (Node: yes), so that
 * `createBicubicResizer`, which equals that call byte for byte, may stand in for it.
 */
export const resizesWithSharpAffine = true;

/**
 * The resize of the fast pixel-values route: one sharp `affine` call (sharp imported on first
 * use). The kit's browser build (`resize-rgb.browser.js`) has none, and images that need a resize
 * go through transformers.js's own preprocessing there.
 */
export async function loadRgbResizer(): Promise<RgbResizer | undefined> {
  const { default: sharp } = await import('sharp');
  return async ({ data, width, height }, targetWidth, targetHeight, interpolator) => {
    const resized = await sharp(data, { raw: { width, height, channels: 3 } })
      .affine([targetWidth / width, 0, 0, targetHeight / height], { interpolator })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (resized.info.channels !== 3) return undefined;
    return { data: resized.data, width: resized.info.width, height: resized.info.height };
  };
}
