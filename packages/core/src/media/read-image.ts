import { InvalidInputError } from '../errors/invalid-input-error.js';
import { isDirectory, loadSharp, pngCodec, readFileBytesToDecode } from './media-io.js';
import { ByteShelf } from './byte-shelf.js';
import { decodePngRows, type ImageRowsListener } from './png-rows.js';
import { describeSource, type ImageInput, type RawPixels, type RgbImage } from './media-source.js';

/** Checks raw pixels and makes them RGB; 3-channel bytes are copied unless `copy` is false. */
function fromRawPixels(pixels: RawPixels, copy = true): RgbImage {
  const { data, width, height, channels } = pixels;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0) || ![1, 3, 4].includes(channels)) {
    throw new InvalidInputError({ reason: 'raw pixels need positive integer width and height and 1, 3 or 4 channels' });
  }
  if (data.length !== width * height * channels) {
    throw new InvalidInputError({ reason: `raw pixels hold ${data.length} bytes, expected ${width}×${height}×${channels} = ${width * height * channels}` });
  }
  if (channels === 3) return { data: copy || !(data instanceof Uint8Array) ? Uint8Array.from(data) : data, width, height, channels: 3 };
  const rgb = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    for (let channel = 0; channel < 3; channel += 1) rgb[pixel * 3 + channel] = data[pixel * channels + (channels === 1 ? 0 : channel)]!;
  }
  return { data: rgb, width, height, channels: 3 };
}

/** Decodes encoded bytes or a file with sharp; errors name the input as `name`. */
async function decodeWithSharp(source: string | Uint8Array, name: string): Promise<RgbImage> {
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(source).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    throw new InvalidInputError({ reason: `cannot decode ${name} as an image: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
}

/** Checks that the input is an image input, not empty and not a directory; returns its name for messages. */
async function checkEncodedInput(input: unknown): Promise<string> {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new InvalidInputError({ reason: `expected an image path, bytes or raw pixels, got ${input === null ? 'null' : typeof input}` });
  }
  const name = describeSource(input);
  if (input instanceof Uint8Array && input.byteLength === 0) throw new InvalidInputError({ reason: `${name} is empty` });
  if (typeof input === 'string' && (await isDirectory(input))) throw new InvalidInputError({ reason: `${name} is a directory, not an image file` });
  return name;
}

/**
 * Decodes an image to RGB with `sharp` (imported on first use): a path, encoded bytes, or raw
 * pixels. A missing, empty, corrupt or unsupported file, or a directory, is an `InvalidInputError` naming it.
 */
export async function readImage(input: ImageInput): Promise<RgbImage> {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return fromRawPixels(input);
  const name = await checkEncodedInput(input);
  return decodeWithSharp(input, name);
}

/**
 * Decodes an image as `readImage` does (the same pixels and errors, but see `decodePngRows` on a
 * wrong Adler-32), calling `onRows` as rows
 * become final so a caller can process the top of the image while the rest decodes: 8-bit RGB
 * and RGBA PNGs without interlacing, colour profiles, orientation or transparency chunks decode
 * in accel's own PNG route (`decodePngRows`: with `@napi-rs/image` installed, it decodes the whole
 * file on the thread pool and the rows are reported once; without it, zlib inflates on the thread
 * pool while finished rows go to `onRows`, several times per image); every other input — other formats, other PNGs,
 * raw pixels (3-channel bytes are not copied) — is decoded whole and reported once, with all its
 * rows. Reported rows never change, and the last call reports every row of the image returned.
 * (A PNG found corrupt after some rows is decoded again by sharp, which fails or reports its
 * image — whose rows equal the ones already reported — once more, whole.) In a worker thread the
 * file is read synchronously (see `readFileBytesToDecode`).
 */
export async function readImageRows(input: ImageInput, onRows: ImageRowsListener, options: ReadImageRowsOptions = {}): Promise<RgbImage> {
  let image: RgbImage | undefined;
  if (typeof input === 'object' && !(input instanceof Uint8Array)) image = fromRawPixels(input, false);
  else if (pngCodec !== undefined && (typeof input === 'string' || input instanceof Uint8Array)) {
    // A file is read once; one that cannot be read goes to readImage, whose errors name it.
    const bytes = typeof input === 'string' ? await readFileBytesToDecode(input, fileShelf).catch(() => undefined) : input;
    if (bytes !== undefined && bytes.byteLength > 0) {
      try {
        const decoded = await decodePngRows(bytes, pngCodec, onRows, options.shelf === undefined ? undefined : (length) => options.shelf!.take(length));
        if (decoded !== undefined) return decoded;
        // Not a PNG the row decoder takes, or a corrupt one (after some rows, perhaps): sharp decodes the same bytes, or reports what is wrong.
        image = await decodeWithSharp(bytes, describeSource(input));
      } finally {
        if (bytes !== input) fileShelf.put(bytes);
      }
    }
  }
  image ??= await readImage(input);
  onRows(image, image.height);
  return image;
}

/** Options of `readImageRows`. */
export interface ReadImageRowsOptions {
  /**
   * Where the row decoder takes the decoded image's array from (images sharp decodes and raw pixels
   * keep their own): a caller that is done with an image before it reads the next can put the
   * array back for the next one.
   */
  readonly shelf?: ByteShelf;
}

/** Arrays for image files read in this thread, one at a time (see `readFileBytesToDecode`). */
const fileShelf = new ByteShelf();

/** A size to resize to, and the interpolator of sharp's `affine` (as transformers.js's Node `RawImage.resize` calls it). */
export interface ImageResizeTarget {
  readonly width: number;
  readonly height: number;
  readonly interpolator: 'nearest' | 'bilinear' | 'bicubic';
}

/** What `readImageResized` returned: the image, and whether it was resized to the target the caller asked for. */
export interface ResizedImage {
  readonly image: RgbImage;
  readonly resized: boolean;
}

/**
 * Decodes an image as `readImage` does and resizes it in the same sharp pipeline: `resizeTo` gets
 * the decoded (auto-oriented) width and height and returns the size to resize to, or undefined to
 * keep it. The resize is sharp's `affine` with a pure scale, as transformers.js's Node
 * `RawImage.resize` does it, applied to the same decoded pixels, so the result equals
 * `readImage` followed by that resize, byte for byte, with one decode, one pass through sharp and
 * no intermediate copy of the full-size image. Raw pixels (3-channel bytes are not copied), and files that do not decode to 8-bit
 * 3-channel sRGB without alpha (grey, alpha, CMYK, 16-bit: sharp's pipeline would resize them before
 * it converts them), are returned as `readImage` returns them, with `resized: false`: the caller
 * resizes those itself. Errors are `readImage`'s.
 */
export async function readImageResized(input: ImageInput, resizeTo: (width: number, height: number) => ImageResizeTarget | undefined): Promise<ResizedImage> {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return { image: fromRawPixels(input, false), resized: false };
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return { image: await readImage(input), resized: false };
  const name = describeSource(input);
  if (input instanceof Uint8Array && input.byteLength === 0) throw new InvalidInputError({ reason: `${name} is empty` });
  const sharp = await loadSharp();
  let decoded: { data: Buffer; info: { channels: number; width: number; height: number } };
  let resized = false;
  try {
    const source = sharp(input);
    const metadata = await source.metadata();
    let pipeline = source.rotate().removeAlpha().toColourspace('srgb');
    if (metadata.channels === 3 && !metadata.hasAlpha && metadata.depth === 'uchar' && metadata.space === 'srgb') {
      const { width, height } = metadata.autoOrient;
      const target = resizeTo(width, height);
      if (target !== undefined && (target.width !== width || target.height !== height)) {
        pipeline = pipeline.affine([target.width / width, 0, 0, target.height / height], { interpolator: target.interpolator });
        resized = true;
      }
    }
    decoded = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (decoded.info.channels !== 3) throw new Error(`decoded to ${decoded.info.channels} channels`);
  } catch (error) {
    // The directory check runs only on failure, so a readable file costs no extra stat.
    if (typeof input === 'string' && (await isDirectory(input))) throw new InvalidInputError({ reason: `${name} is a directory, not an image file` });
    throw new InvalidInputError({ reason: `cannot decode ${name} as an image: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
  const { data, info } = decoded;
  return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 }, resized };
}
