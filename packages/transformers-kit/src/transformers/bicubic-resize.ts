import { bicubicKernelsWasm } from './bicubic-kernels-wasm.js';

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

/** Where a resizer's arrays live in its kernels' memory (byte offsets), and how big that is. */
interface Layout {
  readonly taps: number;
  readonly weights: number;
  readonly line: number;
  readonly slots: number;
  readonly slotBytes: number;
  readonly black: number;
  readonly output: number;
  readonly size: number;
}

/** The two inner loops, on a resizer's memory (see bicubic-kernels.wat for the arguments). */
interface Kernels {
  readonly memory: { readonly buffer: ArrayBuffer; grow?(pages: number): number };
  horizontal(line: number, taps: number, weights: number, columns: number, result: number): void;
  vertical(r0: number, r1: number, r2: number, r3: number, c0: number, c1: number, c2: number, c3: number, out: number, length: number): void;
}

const align = (bytes: number) => (bytes + 15) & ~15;

function layoutFor(sourceWidth: number, columns: number): Layout {
  const lineLength = columns * 3;
  const taps = 0;
  const weights = align(taps + columns * 4);
  const line = weights + columns * 16;
  // Room the kernels read or write past a row's end (see bicubic-kernels.wat).
  const slots = align(line + (sourceWidth + 4) * 3 + 16);
  const slotBytes = align(lineLength * 4 + 32);
  const black = slots + 8 * slotBytes;
  const output = black + slotBytes;
  return { taps, weights, line, slots, slotBytes, black, output, size: output + align(lineLength + 16) };
}

/** The JavaScript kernels, on an ArrayBuffer laid out as the WebAssembly ones' memory. */
function javaScriptKernels(size: number): Kernels {
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const ints = new Int32Array(buffer);
  const shorts = new Int16Array(buffer);
  const clamped = new Uint8ClampedArray(buffer);
  return {
    memory: { buffer },
    horizontal(line, taps, weights, columns, result) {
      for (let column = 0, tap = taps >> 2, weight = weights >> 1, out = result >> 2; column < columns; column += 1, tap += 1, weight += 8, out += 3) {
        // (Plain locals rather than destructuring: this loop runs for every source row.)
        const p = line + ints[tap]!;
        const c0 = shorts[weight]!;
        const c1 = shorts[weight + 1]!;
        const c2 = shorts[weight + 2]!;
        const c3 = shorts[weight + 3]!;
        ints[out] = (c0 * bytes[p]! + c1 * bytes[p + 3]! + c2 * bytes[p + 6]! + c3 * bytes[p + 9]! + half) >> shift;
        ints[out + 1] = (c0 * bytes[p + 1]! + c1 * bytes[p + 4]! + c2 * bytes[p + 7]! + c3 * bytes[p + 10]! + half) >> shift;
        ints[out + 2] = (c0 * bytes[p + 2]! + c1 * bytes[p + 5]! + c2 * bytes[p + 8]! + c3 * bytes[p + 11]! + half) >> shift;
      }
    },
    vertical(r0, r1, r2, r3, c0, c1, c2, c3, out, length) {
      const [i0, i1, i2, i3] = [r0 >> 2, r1 >> 2, r2 >> 2, r3 >> 2];
      // Clamped: storing the rounded sum clamps it to 0–255, as libvips's VIPS_CLIP does.
      for (let index = 0; index < length; index += 1) clamped[out + index] = (c0 * ints[i0 + index]! + c1 * ints[i1 + index]! + c2 * ints[i2 + index]! + c3 * ints[i3 + index]! + half) >> shift;
    },
  };
}

/** What the resizer uses of the WebAssembly API (the package's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: unknown };
}

/** The compiled kernels and the API that instantiates them; null without WebAssembly SIMD. */
let compiled: { readonly api: WebAssemblyApi; readonly module: object } | null | undefined;
/** Instances of the WebAssembly kernels not in use: a resizer takes one and puts it back when done. */
const idle: Kernels[] = [];

/** An instance of the WebAssembly kernels with at least `size` bytes of memory, or undefined without WebAssembly SIMD. */
function webAssemblyKernels(size: number): Kernels | undefined {
  if (compiled === undefined) {
    const bytes = Uint8Array.from(atob(bicubicKernelsWasm), (character) => character.charCodeAt(0));
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    compiled = api?.validate(bytes) ? { api, module: new api.Module(bytes) } : null;
  }
  if (compiled === null) return undefined;
  const kernels = idle.pop() ?? (new compiled.api.Instance(compiled.module).exports as Kernels);
  const missing = size - kernels.memory.buffer.byteLength;
  if (missing > 0) kernels.memory.grow!(Math.ceil(missing / 65536));
  return kernels;
}

/** Which kernels `createBicubicResizer` runs: `auto` (WebAssembly SIMD where the runtime has it) or one of them, for tests. */
export type BicubicKernels = 'auto' | 'webassembly' | 'javascript';

/**
 * The resize transformers.js's Node build makes in `RawImage.resize` with bicubic resampling —
 * sharp's `affine([width / sourceWidth, 0, 0, height / sourceHeight], { interpolator: 'bicubic' })`
 * — computed here, byte for byte as libvips 8.18 computes it, for the `crop` of the
 * result only. libvips's affine (resample/affine.c) maps output pixel x to source x · ia, with ia
 * the inverse matrix's entry computed as `vips__transform_calc_inverse` does, accumulated by
 * addition along each full-width output row; its 4 × 4 Catmull-Rom sums 4 taps per source row
 * into rounded integers and those 4 rows into the result (templates.h `bicubic_unsigned_int`),
 * which makes it separable: each source row's horizontal sums are computed once, for the crop's
 * columns, and each output row combines 4 of them. Pixels outside the source are black, as in
 * libvips's background-extended border. The package's tests compare the result with sharp's on
 * random images, sizes and crops. The two inner loops run in WebAssembly SIMD
 * (bicubic-kernels.wat) where the runtime has it, with the same integer arithmetic as their
 * JavaScript twins here, which run otherwise (`kernels` chooses, for tests).
 */
export function createBicubicResizer(
  sourceWidth: number,
  sourceHeight: number,
  width: number,
  height: number,
  crop: ResizeCrop,
  onRow: ResizedRowListener,
  kernels: BicubicKernels = 'auto',
): BicubicResizer {
  const a = width / sourceWidth;
  const d = height / sourceHeight;
  const inverse = 1 / (a * d - 0 * 0);
  const ia = inverse * d;
  const id = inverse * a;
  const columns = crop.width;
  const lineLength = columns * 3;
  const layout = layoutFor(sourceWidth, columns);
  const webAssembly = kernels === 'javascript' ? undefined : webAssemblyKernels(layout.size);
  if (kernels === 'webassembly' && webAssembly === undefined) throw new Error('this runtime has no WebAssembly SIMD');
  const run = webAssembly ?? javaScriptKernels(layout.size);
  const { buffer } = run.memory;
  // A reused instance holds an earlier resize's values.
  new Uint8Array(buffer, 0, layout.size).fill(0);
  // Per output column: the byte offset of its first tap in a copy of the source row with one black
  // pixel before it and three after (for taps outside the source), and its 4 weights (twice, as
  // the SIMD kernel reads them). In libvips's padded space (2-pixel border) the coordinate starts
  // at 2, and the first tap is 1 left of its integer part.
  const taps = new Int32Array(buffer, layout.taps, columns);
  const weights = new Int16Array(buffer, layout.weights, columns * 8);
  let x = ia * 0 + 1 + 1;
  for (let column = 0; column < crop.left + columns; column += 1, x += ia) {
    if (column < crop.left) continue;
    const at = (column - crop.left) * 8;
    // (x < sourceWidth + 2 for any scale, so first is in [-1, sourceWidth - 2].)
    const first = Math.trunc(x) - 3;
    taps[column - crop.left] = (first + 1) * 3;
    const row = tableRow(x);
    for (let tap = 0; tap < 4; tap += 1) weights[at + tap] = weights[at + 4 + tap] = coefficients[row + tap]!;
  }
  const line = new Uint8Array(buffer, layout.line + 3, sourceWidth * 3);
  const output = new Uint8ClampedArray(buffer, layout.output, lineLength);
  // Horizontal sums of the source rows in use, in 8 slots (row r in slot r % 8): an output row uses
  // 4 consecutive source rows, and the next one the same or later rows, so a row's slot is taken
  // over only once the row is no longer needed.
  const slotRows = new Int32Array(8).fill(-1);

  const horizontal = (source: Uint8Array, row: number): number => {
    if (row < 0 || row >= sourceHeight) return layout.black;
    const slot = row & 7;
    const at = layout.slots + slot * layout.slotBytes;
    if (slotRows[slot] === row) return at;
    slotRows[slot] = row;
    line.set(source.subarray(row * sourceWidth * 3, (row + 1) * sourceWidth * 3));
    run.horizontal(layout.line, layout.taps, layout.weights, columns, at);
    return at;
  };

  let next = crop.top;
  const end = crop.top + crop.height;
  return {
    advance(source, rows) {
      for (; next < end; next += 1) {
        const y = id * next + 1 + 1;
        const first = Math.trunc(y) - 3;
        if (Math.min(first + 3, sourceHeight - 1) >= rows) return false;
        const row = tableRow(y);
        const r0 = horizontal(source, first);
        const r1 = horizontal(source, first + 1);
        const r2 = horizontal(source, first + 2);
        const r3 = horizontal(source, first + 3);
        run.vertical(r0, r1, r2, r3, coefficients[row]!, coefficients[row + 1]!, coefficients[row + 2]!, coefficients[row + 3]!, layout.output, lineLength);
        onRow(next - crop.top, output);
        // The last row: the instance can take the next resize.
        if (next === end - 1 && webAssembly !== undefined) idle.push(webAssembly);
      }
      return true;
    },
  };
}
