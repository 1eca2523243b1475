import type { RgbResizer } from './resize-rgb.js';

/** The browser build of `resize-rgb.js`: no sharp, so images that need a resize go through transformers.js (canvas). */
export async function loadRgbResizer(): Promise<RgbResizer | undefined> {
  return undefined;
}

/** The browser build of transformers.js resizes on a canvas, not with sharp's `affine`. */
export const resizesWithSharpAffine = false;
