import { readFile, stat } from 'node:fs/promises';
import type Sharp from 'sharp';

/**
 * What media decoding needs from the platform: files, audio-decode and sharp. This is the Node
 * version; bundlers that follow the package's `browser` field use `media-io.browser.js`, where a
 * page decodes media itself (AudioContext, createImageBitmap) and passes samples or pixels.
 */

/** The file's bytes (rejects with Node's error, whose `code` callers report). */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  return readFile(path);
}

/** True when `path` names a directory (false when it names anything else, or nothing). */
export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** Decodes encoded audio (wav, mp3, flac, ogg, opus, m4a, webm) with `audio-decode`, imported on first use. */
export async function decodeAudioBytes(bytes: Uint8Array): Promise<{ channelData: Float32Array[]; sampleRate: number }> {
  const { default: decode } = await import('audio-decode');
  return decode(bytes);
}

/** `sharp`, imported on first use. */
export async function loadSharp(): Promise<typeof Sharp> {
  return (await import('sharp')).default;
}
