import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { ImageInput } from './media-source.js';


function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function isPixelBuffer(value: unknown): boolean {
  return value instanceof Uint8Array || value instanceof Uint8ClampedArray;
}

/** Throws `InvalidInputError` (with `index` when given) unless `value` is a path, non-empty bytes or well-formed raw pixels. */
export function validateImageInput(value: unknown, index: number | undefined): asserts value is ImageInput {
  const at = index === undefined ? {} : { index };
  if (typeof value === 'string') {
    if (value.trim().length === 0) throw new InvalidInputError({ reason: 'the image path is empty', ...at });
    return;
  }
  if (value instanceof Uint8Array) {
    if (value.byteLength === 0) throw new InvalidInputError({ reason: 'the image bytes are empty', ...at });
    return;
  }
  if (value !== null && typeof value === 'object' && 'data' in value && 'width' in value && 'height' in value && 'channels' in value) {
    const { data, width, height, channels } = value as { data: unknown; width: unknown; height: unknown; channels: unknown };
    const validSize = Number.isInteger(width) && (width as number) > 0 && Number.isInteger(height) && (height as number) > 0;
    if (!isPixelBuffer(data) || !validSize || ![1, 3, 4].includes(channels as number)) {
      throw new InvalidInputError({ reason: 'raw pixels need a Uint8Array data, positive integer width and height and 1, 3 or 4 channels', ...at });
    }
    const expected = (width as number) * (height as number) * (channels as number);
    if ((data as Uint8Array).length !== expected) {
      throw new InvalidInputError({ reason: `raw pixels hold ${(data as Uint8Array).length} bytes, expected ${width}×${height}×${channels} = ${expected}`, ...at });
    }
    return;
  }
  throw new InvalidInputError({ reason: `expected an image path, bytes or raw pixels, got ${describeType(value)}`, ...at });
}
