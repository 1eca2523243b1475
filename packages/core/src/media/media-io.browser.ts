import { InvalidInputError } from '../errors/invalid-input-error.js';
import { UnsupportedError } from '../errors/unsupported-error.js';
import type { ByteShelf } from './byte-shelf.js';
import type { PngCodec } from './png-rows.js';

/**
 * The browser build of `media-io.js`. A page has no file paths, audio-decode or sharp: it
 * decodes media with the browser's own decoders and passes the result — audio as
 * `{ samples: Float32Array, sampleRate }` (AudioContext.decodeAudioData, OfflineAudioContext to
 * resample), images as raw pixels `{ data, width, height, channels }` (createImageBitmap and an
 * OffscreenCanvas's getImageData).
 */

export async function readFileBytes(path: string): Promise<Uint8Array> {
  throw new InvalidInputError({ reason: `${path}: file paths cannot be read in a browser; pass decoded samples or pixels` });
}

export async function readFileBytesToDecode(path: string, _shelf: ByteShelf): Promise<Uint8Array> {
  return readFileBytes(path);
}

export async function isDirectory(_path: string): Promise<boolean> {
  return false;
}

export async function decodeAudioBytes(_bytes: Uint8Array): Promise<{ channelData: Float32Array[]; sampleRate: number }> {
  throw new UnsupportedError({
    feature: 'encoded audio in a browser',
    message: 'encoded audio bytes are not decoded in a browser build; decode them on the page (AudioContext.decodeAudioData) and pass { samples, sampleRate }',
  });
}

export async function loadSharp(): Promise<never> {
  throw new UnsupportedError({
    feature: 'encoded images in a browser',
    message: 'image files and encoded bytes are not decoded in a browser build; decode them on the page (createImageBitmap, OffscreenCanvas getImageData) and pass raw pixels { data, width, height, channels }',
  });
}

/** No PNG row decoder in a browser: encoded images are not decoded there (see `loadSharp`). */
export const pngCodec: PngCodec | undefined = undefined;
