import { z } from 'zod';
import { describeValue } from './text-schemas.js';

/** `value instanceof type`, typed as the plain class (a `Buffer` is a `Uint8Array`, whatever its buffer). */
export function instanceOfSchema<T>(type: abstract new (...args: never[]) => T, name: string) {
  return z.custom<T>((value) => value instanceof type, { error: (issue) => `expected ${name}, got ${describeValue(issue.input)}` });
}

/** Decoded pixels, row-major, `channels` bytes per pixel. */
export const rawPixelsSchema = z
  .object({
    data: z.union([instanceOfSchema<Uint8Array>(Uint8Array, 'a Uint8Array'), instanceOfSchema<Uint8ClampedArray>(Uint8ClampedArray, 'a Uint8ClampedArray')]),
    width: z.int().positive(),
    height: z.int().positive(),
    channels: z.union([z.literal(1), z.literal(3), z.literal(4)]),
  })
  .refine((pixels) => pixels.data.length === pixels.width * pixels.height * pixels.channels, {
    error: (issue) => {
      const pixels = issue.input as { data: Uint8Array; width: number; height: number; channels: number };
      return `raw pixels hold ${pixels.data.length} bytes, expected ${pixels.width}×${pixels.height}×${pixels.channels} = ${pixels.width * pixels.height * pixels.channels}`;
    },
  })
  .describe('decoded pixels: { data, width, height, channels }');

/** Encoded file bytes (PNG, JPEG, WAV, MP3, …): not empty. */
export const fileBytesSchema = instanceOfSchema<Uint8Array>(Uint8Array, 'bytes').refine((bytes) => bytes.byteLength > 0, { error: 'the bytes are empty' });

/** A file path: not empty. */
export const filePathSchema = z.string().refine((path) => path.trim().length > 0, { error: 'the path is empty' });

/** One image: a file path, encoded bytes (PNG, JPEG, WebP, …) or decoded pixels. */
export const imageSchema = z
  .union([filePathSchema, fileBytesSchema, rawPixelsSchema], { error: (issue) => `expected an image path, bytes or raw pixels, got ${describeValue(issue.input)}` })
  .describe('an image: a file path, encoded bytes or raw pixels');

/** One image or a non-empty list of images. */
export const imagesSchema = z
  .union([imageSchema, z.array(imageSchema).min(1, { error: 'the images list is empty' }).readonly()], {
    error: (issue) => `expected an image (a path, bytes or raw pixels) or a list of images, got ${describeValue(issue.input)}`,
  })
  .describe('one image or a list of images');

/** A video: a folder of frame images or a video file (a path), or its frames in order. */
export const videoSchema = z
  .union([filePathSchema, z.array(imageSchema).min(1, { error: 'the frame list is empty' }).readonly()], {
    error: (issue) => `expected a video: a folder of frames or a video file (a path), or a list of frames, got ${describeValue(issue.input)}`,
  })
  .describe('a video: a folder of frame images, a video file, or its frames in order');

const sampleRateError = (issue: { input?: unknown }) => `expected a positive number, got ${String(issue.input)}`;

/** Decoded mono samples at a known rate. */
export const rawAudioSchema = z
  .object({
    samples: instanceOfSchema<Float32Array>(Float32Array, 'a Float32Array').refine((samples) => samples.length > 0, { error: 'the audio has no samples' }),
    sampleRate: z.number({ error: sampleRateError }).positive({ error: sampleRateError }),
  })
  .describe('decoded audio: { samples: Float32Array, sampleRate }');

/**
 * What is wrong with a value that is no audio input: for `{ samples, sampleRate }`-shaped objects
 * the field at fault (a union hides it), else what an audio input is.
 */
function audioProblem(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && 'samples' in value) {
    const { samples, sampleRate } = value as { samples?: unknown; sampleRate?: unknown };
    if (!(samples instanceof Float32Array)) return `samples: expected a Float32Array, got ${describeValue(samples)}`;
    if (typeof sampleRate !== 'number' || !Number.isFinite(sampleRate) || sampleRate <= 0) return `sampleRate: expected a positive number, got ${String(sampleRate)}`;
  }
  return `expected an audio file path, encoded bytes or { samples, sampleRate }, got ${describeValue(value)}`;
}

/** One audio clip: a file path, encoded bytes (WAV, MP3, FLAC, OGG, …) or decoded samples. */
export const audioSchema = z
  .union([filePathSchema, fileBytesSchema, rawAudioSchema], { error: (issue) => audioProblem(issue.input) })
  .describe('audio: a file path, encoded bytes or { samples, sampleRate }');

/** One audio clip or a non-empty list of clips. */
export const audiosSchema = z
  .union([audioSchema, z.array(audioSchema).min(1, { error: 'the audio list is empty' }).readonly()], { error: (issue) => audioProblem(issue.input) })
  .describe('one audio clip or a list of clips');
