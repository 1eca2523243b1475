/** A rectangle of the resized image: the part a `BicubicResizer` computes. */
export interface ResizeCrop {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Receives the crop's rows in order: `y` counts from the crop's top; `row` (RGB bytes) is reused for the next row. */
export type ResizedRowListener = (y: number, row: Uint8ClampedArray) => void;

/** Resizes 3-channel bytes row by row as the source's rows arrive, computing only the crop. */
export interface BicubicResizer {
  /**
   * Computes, in order, every output row whose source rows are among the first `rows` rows of
   * `source` (the whole image, row-major RGB, later rows possibly not yet written) and passes it
   * on; true once the crop's last row was.
   */
  advance(source: Uint8Array, rows: number): boolean;
}

// libvips's fixed-point Catmull-Rom: VIPS_TRANSFORM_SCALE (64) sub-pixel positions, coefficients in
// units of 1 / VIPS_INTERPOLATE_SCALE (4096), truncated to int as `vips_interpolate_bicubic_class_init`
// stores them (libvips resample/bicubic.cpp, templates.h `calculate_coefficients_catmull`).
const positions = 64;
const shift = 12;
const half = 1 << (shift - 1);
const coefficients = new Int32Array((positions + 1) * 4);
for (let position = 0; position <= positions; position += 1) {
  const x = position / positions;
  const cr1 = 1 - x;
  const cr2 = -0.5 * x;
  const cr3 = cr1 * cr2;
  const cone = cr1 * cr3;
  const cfou = x * cr3;
  const cr4 = cfou - cone;
  const ctwo = cr1 - cone + cr4;
  const cthr = x - cfou - cr4;
  coefficients.set([cone, ctwo, cthr, cfou].map((value) => Math.trunc(value * (1 << shift))), position * 4);
}

/** The table row for a source coordinate in libvips's padded space: `vips_interpolate_bicubic_interpolate`'s rounding to the nearest of 64 positions. */
function tableRow(coordinate: number): number {
  return (((Math.trunc(coordinate * positions * 2) & (positions * 2 - 1)) + 1) >> 1) * 4;
}

/**
 * The resize transformers.js's Node build makes in `RawImage.resize` with bicubic resampling —
 * sharp's `affine([width / sourceWidth, 0, 0, height / sourceHeight], { interpolator: 'bicubic' })`
 * — computed in JavaScript, byte for byte as libvips 8.18 computes it, for the `crop` of the
 * result only. libvips's affine (resample/affine.c) maps output pixel x to source x · ia, with ia
 * the inverse matrix's entry computed as `vips__transform_calc_inverse` does, accumulated by
 * addition along each full-width output row; its 4 × 4 Catmull-Rom sums 4 taps per source row
 * into rounded integers and those 4 rows into the result (templates.h `bicubic_unsigned_int`),
 * which makes it separable: each source row's horizontal sums are computed once, for the crop's
 * columns, and each output row combines 4 of them. Pixels outside the source are black, as in
 * libvips's background-extended border. The package's tests compare the result with sharp's on
 * random images, sizes and crops.
 */
export function createBicubicResizer(sourceWidth: number, sourceHeight: number, width: number, height: number, crop: ResizeCrop, onRow: ResizedRowListener): BicubicResizer {
  const a = width / sourceWidth;
  const d = height / sourceHeight;
  const inverse = 1 / (a * d - 0 * 0);
  const ia = inverse * d;
  const id = inverse * a;
  const columns = crop.width;
  const lineLength = columns * 3;
  // Per output column: the byte offset of its first tap in a copy of the source row with one black
  // pixel before it and three after (for taps outside the source), and its 4 weights. In libvips's
  // padded space (2-pixel border) the coordinate starts at 2, and the first tap is 1 left of its
  // integer part.
  const taps = new Int32Array(columns);
  const weights = new Int32Array(columns * 4);
  let x = ia * 0 + 1 + 1;
  for (let column = 0; column < crop.left + columns; column += 1, x += ia) {
    if (column < crop.left) continue;
    const at = (column - crop.left) * 4;
    // (x < sourceWidth + 2 for any scale, so first is in [-1, sourceWidth - 2].)
    const first = Math.trunc(x) - 3;
    taps[column - crop.left] = (first + 1) * 3;
    const row = tableRow(x);
    for (let tap = 0; tap < 4; tap += 1) weights[at + tap] = coefficients[row + tap]!;
  }
  const line = new Uint8Array((sourceWidth + 4) * 3);
  const black = new Int32Array(lineLength);
  // Horizontal sums of the source rows in use, in 8 reused slots (row r in slot r % 8): an output
  // row uses 4 consecutive source rows, and the next one the same or later rows, so a row's slot
  // is taken over only once the row is no longer needed. No allocation per row (allocating them
  // made V8 collect garbage several times per image).
  const slotRows = new Int32Array(8).fill(-1);
  const slots = Array.from({ length: 8 }, () => new Int32Array(lineLength));
  // Clamped: storing the rounded sum clamps it to 0–255, as libvips's VIPS_CLIP does.
  const output = new Uint8ClampedArray(lineLength);
  let source: Uint8Array = line;

  const horizontal = (row: number): Int32Array => {
    if (row < 0 || row >= sourceHeight) return black;
    const slot = row & 7;
    const result = slots[slot]!;
    if (slotRows[slot] === row) return result;
    slotRows[slot] = row;
    line.set(source.subarray(row * sourceWidth * 3, (row + 1) * sourceWidth * 3), 3);
    for (let column = 0, at = 0, out = 0; column < columns; column += 1, at += 4, out += 3) {
      // (Plain locals rather than destructuring: this loop runs for every source row.)
      const p = taps[column]!;
      const c0 = weights[at]!;
      const c1 = weights[at + 1]!;
      const c2 = weights[at + 2]!;
      const c3 = weights[at + 3]!;
      result[out] = (c0 * line[p]! + c1 * line[p + 3]! + c2 * line[p + 6]! + c3 * line[p + 9]! + half) >> shift;
      result[out + 1] = (c0 * line[p + 1]! + c1 * line[p + 4]! + c2 * line[p + 7]! + c3 * line[p + 10]! + half) >> shift;
      result[out + 2] = (c0 * line[p + 2]! + c1 * line[p + 5]! + c2 * line[p + 8]! + c3 * line[p + 11]! + half) >> shift;
    }
    return result;
  };

  let next = crop.top;
  const end = crop.top + crop.height;
  return {
    advance(image, rows) {
      source = image;
      for (; next < end; next += 1) {
        const y = id * next + 1 + 1;
        const first = Math.trunc(y) - 3;
        if (Math.min(first + 3, sourceHeight - 1) >= rows) return false;
        const row = tableRow(y);
        const c0 = coefficients[row]!;
        const c1 = coefficients[row + 1]!;
        const c2 = coefficients[row + 2]!;
        const c3 = coefficients[row + 3]!;
        const r0 = horizontal(first);
        const r1 = horizontal(first + 1);
        const r2 = horizontal(first + 2);
        const r3 = horizontal(first + 3);
        for (let index = 0; index < lineLength; index += 1) output[index] = (c0 * r0[index]! + c1 * r1[index]! + c2 * r2[index]! + c3 * r3[index]! + half) >> shift;
        onRow(next - crop.top, output);
      }
      return true;
    },
  };
}
