/** Raw pixels, row-major and interleaved. */
export interface RawPixels {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  readonly channels: 1 | 3 | 4;
}

/** An image: a file path, encoded bytes (PNG, JPEG, WebP, …), or raw pixels. */
export type ImageInput = string | Uint8Array | RawPixels;

/** A decoded RGB image: 3 interleaved channels, one byte each. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

/** Audio: a file path or encoded bytes (wav, mp3, flac, ogg, opus, m4a, webm), or samples with their rate. */
export type AudioInput = string | Uint8Array | { readonly samples: Float32Array; readonly sampleRate: number };

/** Video: an ordered list of frames, a folder of frame images, or a video file (needs ffmpeg). */
export type VideoInput = string | readonly ImageInput[];

/** How a media input is named in error messages. */
export function describeSource(input: unknown): string {
  if (typeof input === 'string') return input;
  if (input instanceof Uint8Array) return `a ${input.byteLength}-byte buffer`;
  return 'the given samples';
}
