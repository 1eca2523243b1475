import type { RgbImage } from './media-source.js';

/**
 * Inflates zlib data given as consecutive parts (each written to the inflater on its own) and
 * hands the output over in pieces as it comes, at most `pieceBytes` each, a piece ending where a
 * part's output ends: `onOutput` runs while the next piece inflates elsewhere (Node: on the thread
 * pool), so the caller's work on one piece overlaps the inflating of the next. Rejects on corrupt data.
 */
export type ProgressiveInflate = (parts: readonly Uint8Array[], pieceBytes: number, onOutput: (piece: Uint8Array) => void) => Promise<void>;

/**
 * A whole-image decoder for the PNGs the row decoder takes: the file's pixels, 8-bit, with as many
 * channels as the file has (3 or 4), or undefined when the platform has none (the row decoder then
 * inflates progressively). Rejects on corrupt data.
 */
export type WholePngDecoder = (bytes: Uint8Array) => Promise<Uint8Array | undefined>;

/**
 * What the row decoder needs from the platform: progressive inflating and CRC-32 (Node:
 * `node:zlib`), and optionally a faster decoder of whole images (Node: `@napi-rs/image`, when installed).
 */
export interface PngCodec {
  readonly inflate: ProgressiveInflate;
  readonly crc32: (bytes: Uint8Array) => number;
  readonly decode?: WholePngDecoder;
}

/** Called as rows of a decoded image become complete: `rows` rows of `image.data` (from the top) are final. */
export type ImageRowsListener = (image: RgbImage, rows: number) => void;

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Ancillary chunks that leave the pixels libvips's PNG loader (libpng) returns, and sharp's
 * `rotate().removeAlpha().toColourspace('srgb')` after it, untouched: libvips applies no gamma or
 * chromaticities and only records them. Any other chunk (an ICC profile sharp converts with, EXIF
 * with an orientation, transparency that adds an alpha band, …) sends the file to sharp.
 */
const inertChunks = new Set(['gAMA', 'cHRM', 'sRGB', 'pHYs', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'bKGD']);

/** sharp's default `limitInputPixels` (0x3FFF × 0x3FFF): larger images go to sharp, which refuses them. */
const sharpPixelLimit = 0x3fff * 0x3fff;

/** The parts of a PNG the row decoder handles: 8-bit RGB or RGBA, not interlaced, with only inert ancillary chunks. */
interface PlainPng {
  readonly width: number;
  readonly height: number;
  /** 3 (RGB) or 4 (RGBA) bytes per pixel. */
  readonly channels: 3 | 4;
  readonly data: readonly Uint8Array[];
  /** Whether the IDAT chunks' CRCs are right (computed once): checked while the data inflates or decodes. */
  readonly dataIntact: () => boolean;
}

/**
 * The PNG's chunks when the row decoder can decode it exactly as sharp does; undefined for
 * anything else (other formats, palettes, grey, 16-bit, interlacing, other chunks, a bad CRC,
 * missing or misplaced chunks), which the caller leaves to sharp, errors included.
 */
function parsePlainPng(bytes: Uint8Array, crc32: PngCodec['crc32']): PlainPng | undefined {
  if (bytes.length < 8 || signature.some((byte, index) => bytes[index] !== byte)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: { width: number; height: number; channels: 3 | 4 } | undefined;
  const data: Uint8Array[] = [];
  let ended = false;
  for (let offset = 8; offset < bytes.length && !ended; ) {
    if (offset + 12 > bytes.length) return undefined;
    const length = view.getUint32(offset);
    const end = offset + 8 + length;
    if (end + 4 > bytes.length) return undefined;
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    if (type === 'IHDR') {
      if (header !== undefined || offset !== 8 || length !== 13) return undefined;
      const [depth, colourType, compression, filter, interlace] = bytes.subarray(offset + 16, offset + 21);
      if (depth !== 8 || (colourType !== 2 && colourType !== 6) || compression !== 0 || filter !== 0 || interlace !== 0) return undefined;
      header = { width: view.getUint32(offset + 8), height: view.getUint32(offset + 12), channels: colourType === 2 ? 3 : 4 };
      if (header.width === 0 || header.height === 0 || header.width * header.height > sharpPixelLimit) return undefined;
    } else if (type === 'IDAT') {
      // IDAT chunks must follow one another.
      if (header === undefined || (data.length > 0 && data.at(-1)!.byteOffset + data.at(-1)!.byteLength + 4 !== bytes.byteOffset + offset)) return undefined;
      data.push(bytes.subarray(offset + 8, end));
    } else if (type === 'IEND') ended = true;
    else if (!inertChunks.has(type)) return undefined;
    if (type !== 'IDAT' && view.getUint32(end) !== crc32(bytes.subarray(offset + 4, end))) return undefined;
    offset = end + 4;
  }
  if (header === undefined || data.length === 0 || !ended) return undefined;
  // Each IDAT's 4 type bytes precede its data, and its CRC follows it.
  let intact: boolean | undefined;
  const dataIntact = () => (intact ??= data.every((part) => new DataView(part.buffer, part.byteOffset + part.byteLength, 4).getUint32(0) === crc32(new Uint8Array(part.buffer, part.byteOffset - 4, part.byteLength + 4))));
  return { ...header, data, dataIntact };
}

/** Copies decoded pixels (3 or 4 bytes each) into an RGB image, dropping alpha as sharp's `removeAlpha` does. */
function copyRgb(pixels: Uint8Array, channels: 3 | 4, target: Uint8Array): void {
  if (channels === 3) {
    target.set(pixels);
    return;
  }
  for (let source = 0, at = 0; source < pixels.length; source += 4, at += 3) {
    target[at] = pixels[source]!;
    target[at + 1] = pixels[source + 1]!;
    target[at + 2] = pixels[source + 2]!;
  }
}

function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** The Paeth predictor of the PNG specification. */
function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** Reverses a scanline's filter in place, given the previous (unfiltered) scanline. False for an unknown filter type. */
function unfilter(filter: number, line: Uint8Array, previous: Uint8Array, pixelBytes: number): boolean {
  const length = line.length;
  switch (filter) {
    case 0:
      return true;
    case 1:
      for (let index = pixelBytes; index < length; index += 1) line[index] = line[index]! + line[index - pixelBytes]!;
      return true;
    case 2:
      for (let index = 0; index < length; index += 1) line[index] = line[index]! + previous[index]!;
      return true;
    case 3:
      for (let index = 0; index < pixelBytes; index += 1) line[index] = line[index]! + (previous[index]! >> 1);
      for (let index = pixelBytes; index < length; index += 1) line[index] = line[index]! + ((line[index - pixelBytes]! + previous[index]!) >> 1);
      return true;
    case 4:
      for (let index = 0; index < pixelBytes; index += 1) line[index] = line[index]! + previous[index]!;
      for (let index = pixelBytes; index < length; index += 1) line[index] = line[index]! + paeth(line[index - pixelBytes]!, previous[index]!, previous[index - pixelBytes]!);
      return true;
    default:
      return false;
  }
}

/**
 * Decodes an 8-bit RGB or RGBA, non-interlaced PNG to RGB rows (alpha dropped, as sharp's
 * `removeAlpha` does), reporting rows as they complete: the zlib data inflates in pieces (on the
 * thread pool in Node) while rows already inflated are unfiltered and passed to `onRows`, so a
 * caller that resizes rows as they come works alongside the inflating. Returns undefined, having
 * reported nothing, for a PNG it does not decode exactly as sharp does (see `parsePlainPng`); a
 * PNG whose data turns out corrupt or short also returns undefined, possibly after some rows were
 * reported: the caller then decodes it with sharp, which reports the error. An error thrown by
 * `onRows` rejects the call once the inflating stopped. The image's array comes from `allocate`
 * (its contents are overwritten). When the codec has a whole-image decoder that is available, it
 * decodes the file instead (the same pixels: the format is lossless and the decoder applies no
 * gamma or colour conversion) and every row is reported once, at the end; a file it rejects
 * returns undefined. (One difference from sharp there: a file whose chunk CRCs are right but whose
 * zlib stream's Adler-32 is wrong decodes, where libpng refuses it; the pixels are the data's.)
 */
export async function decodePngRows(bytes: Uint8Array, codec: PngCodec, onRows: ImageRowsListener, allocate: (length: number) => Uint8Array = (length) => new Uint8Array(length)): Promise<RgbImage | undefined> {
  const png = parsePlainPng(bytes, codec.crc32);
  if (png === undefined) return undefined;
  const { width, height, channels } = png;
  const lineBytes = width * channels;
  if (codec.decode !== undefined) {
    // The decoder starts (on the thread pool in Node) while this thread checks the data's CRCs.
    const decoding = codec.decode(bytes).catch(() => null);
    const intact = png.dataIntact();
    const pixels = await decoding;
    if (pixels !== undefined) {
      // A file the decoder rejects, or one with a wrong CRC, is left to sharp, which reports what is wrong.
      if (!intact || pixels === null || pixels.length !== lineBytes * height) return undefined;
      const image: RgbImage = { data: allocate(width * height * 3), width, height, channels: 3 };
      copyRgb(pixels, channels, image.data);
      onRows(image, height);
      return image;
    }
  }
  const image: RgbImage = { data: allocate(width * height * 3), width, height, channels: 3 };
  let previous = new Uint8Array(lineBytes);
  let line = new Uint8Array(lineBytes);
  let row = 0;
  let filter = -1;
  let filled = 0;
  let broken = false;
  // An error of `onRows` is the caller's, thrown from here once the inflating has stopped (not a
  // reason to decode the file again with sharp).
  let listenerFailed: { error: unknown } | undefined;
  const take = (piece: Uint8Array): void => {
    if (broken) return;
    let index = 0;
    while (index < piece.length) {
      if (row === height) {
        // More data than the image holds: sharp (libpng) decides what that is.
        broken = true;
        return;
      }
      if (filter < 0) {
        filter = piece[index]!;
        index += 1;
        filled = 0;
        continue;
      }
      const count = Math.min(lineBytes - filled, piece.length - index);
      line.set(piece.subarray(index, index + count), filled);
      filled += count;
      index += count;
      if (filled < lineBytes) break;
      if (!unfilter(filter, line, previous, channels)) {
        broken = true;
        return;
      }
      if (channels === 3) image.data.set(line, row * lineBytes);
      else {
        const target = image.data;
        for (let source = 0, at = row * width * 3; source < lineBytes; source += 4, at += 3) {
          target[at] = line[source]!;
          target[at + 1] = line[source + 1]!;
          target[at + 2] = line[source + 2]!;
        }
      }
      [previous, line] = [line, previous];
      row += 1;
      filter = -1;
    }
    try {
      onRows(image, row);
    } catch (error) {
      listenerFailed = { error };
      broken = true;
    }
  };
  // How the inflated data arrives: each hand-over between the thread pool and this thread costs
  // wake-ups, and the rows of the last piece are handled after the inflating ended. So pieces of
  // about a quarter of the image, and a last one of about a sixteenth: the zlib data goes in as two
  // writes, all but its last sixteenth and then that (each write's output ends a piece). The IDAT
  // chunks are joined first (encoders often write 8 KiB chunks, which would make as many pieces).
  const pieceBytes = Math.min(Math.max(((lineBytes + 1) * height) >> 2, 1 << 15), 1 << 20);
  const compressed = png.data.length === 1 ? png.data[0]! : joinParts(png.data);
  const tail = compressed.length >> 4;
  const writes = tail === 0 ? [compressed] : [compressed.subarray(0, compressed.length - tail), compressed.subarray(compressed.length - tail)];
  // Inflating starts on the thread pool (pieces reach `take` in later turns); meanwhile this
  // thread checks the data's CRCs, and a mismatch leaves the file to sharp before any row.
  const inflated = codec.inflate(writes, pieceBytes, take).then(
    () => true,
    () => false,
  );
  if (!png.dataIntact()) broken = true;
  const complete = await inflated;
  if (listenerFailed !== undefined) throw listenerFailed.error;
  return !complete || broken || row !== height ? undefined : image;
}
