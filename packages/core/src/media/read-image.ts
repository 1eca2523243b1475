import { InvalidInputError } from '../errors/invalid-input-error.js';
import { isDirectory, loadSharp } from './media-io.js';
import { describeSource, type ImageInput, type RawPixels, type RgbImage } from './media-source.js';

function fromRawPixels(pixels: RawPixels): RgbImage {
  const { data, width, height, channels } = pixels;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0) || ![1, 3, 4].includes(channels)) {
    throw new InvalidInputError({ reason: 'raw pixels need positive integer width and height and 1, 3 or 4 channels' });
  }
  if (data.length !== width * height * channels) {
    throw new InvalidInputError({ reason: `raw pixels hold ${data.length} bytes, expected ${width}×${height}×${channels} = ${width * height * channels}` });
  }
  if (channels === 3) return { data: Uint8Array.from(data), width, height, channels: 3 };
  const rgb = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    for (let channel = 0; channel < 3; channel += 1) rgb[pixel * 3 + channel] = data[pixel * channels + (channels === 1 ? 0 : channel)]!;
  }
  return { data: rgb, width, height, channels: 3 };
}

/**
 * Decodes an image to RGB with `sharp` (imported on first use): a path, encoded bytes, or raw
 * pixels. A missing, empty, corrupt or unsupported file, or a directory, is an `InvalidInputError` naming it.
 */
export async function readImage(input: ImageInput): Promise<RgbImage> {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return fromRawPixels(input);
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new InvalidInputError({ reason: `expected an image path, bytes or raw pixels, got ${input === null ? 'null' : typeof input}` });
  }
  const name = describeSource(input);
  if (input instanceof Uint8Array && input.byteLength === 0) throw new InvalidInputError({ reason: `${name} is empty` });
  if (typeof input === 'string' && (await isDirectory(input))) throw new InvalidInputError({ reason: `${name} is a directory, not an image file` });
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(input).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    throw new InvalidInputError({ reason: `cannot decode ${name} as an image: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
}
