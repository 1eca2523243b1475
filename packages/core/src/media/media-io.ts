import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { crc32, createInflate } from 'node:zlib';
import type * as NapiImage from '@napi-rs/image';
import type Sharp from 'sharp';
import type { ByteShelf } from './byte-shelf.js';
import type { PngCodec } from './png-rows.js';

/**
 * What media decoding needs from the platform: files, audio-decode and sharp. This is the Node
 * version; bundlers that follow the package's `browser` field use `media-io.browser.js`, where a
 * page decodes media itself (AudioContext, createImageBitmap) and passes samples or pixels.
 */

/** The file's bytes (rejects with Node's error, whose `code` callers report). */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  return readFile(path);
}

/**
 * The bytes of a file about to be decoded on this thread. In a worker thread, read synchronously
 * into an array from `shelf`: `fs.promises.readFile` makes about five thread-pool round trips (open,
 * stat, reads, close), which cost more than the read itself for an image, and a worker's event loop
 * serves only the endpoints placed in it, whose work is on the same thread anyway. On the main
 * thread, `readFileBytes`. The caller puts the array back on the shelf when done with it.
 */
export async function readFileBytesToDecode(path: string, shelf: ByteShelf): Promise<Uint8Array> {
  if (isMainThread) return readFile(path);
  const descriptor = openSync(path, 'r');
  try {
    const bytes = shelf.take(fstatSync(descriptor).size);
    let read = 0;
    while (read < bytes.length) {
      const count = readSync(descriptor, bytes, read, bytes.length - read, read);
      if (count === 0) break;
      read += count;
    }
    return read === bytes.length ? bytes : bytes.subarray(0, read);
  } finally {
    closeSync(descriptor);
  }
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

/** `@napi-rs/image`: its import, started on first use, and the module once imported (null when it is not installed: an optional peer). */
let napiImageImport: Promise<void> | undefined;
let napiImage: typeof NapiImage | null | undefined;

/**
 * A plain PNG's pixels decoded by `@napi-rs/image` (Rust's png crate, whose inflating is faster
 * than zlib's) on the thread pool, or undefined when the package is not installed. Once the
 * package is imported the decode starts synchronously, so the caller's work until its first
 * `await` overlaps it.
 */
function decodeWithNapiImage(bytes: Uint8Array): Promise<Uint8Array | undefined> {
  if (napiImage === null) return Promise.resolve(undefined);
  if (napiImage !== undefined) {
    try {
      return new napiImage.Transformer(bytes).rawPixels();
    } catch (error) {
      return Promise.reject(error);
    }
  }
  napiImageImport ??= import('@napi-rs/image').then(
    (module) => {
      napiImage = module;
    },
    () => {
      napiImage = null;
    },
  );
  return napiImageImport.then(() => decodeWithNapiImage(bytes));
}

/**
 * The PNG row decoder's zlib: `node:zlib`'s streaming inflate, whose pieces inflate on the thread
 * pool. Each piece is handed to the caller in a later turn (`setImmediate`) than the one zlib
 * delivered it in, so the stream has already asked the thread pool for the next piece: the
 * caller's work on this one and the inflating of the next run side by side.
 */
export const pngCodec: PngCodec | undefined = {
  crc32: (bytes) => crc32(bytes),
  decode: decodeWithNapiImage,
  inflate: (parts, pieceBytes, onOutput) =>
    new Promise<void>((resolve, reject) => {
      const inflater = createInflate({ chunkSize: pieceBytes });
      const pending: Uint8Array[] = [];
      let [scheduled, ended, failed] = [false, false, false];
      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        inflater.destroy();
        reject(error);
      };
      const hand = (): void => {
        scheduled = false;
        if (failed) return;
        try {
          for (let piece = pending.shift(); piece !== undefined; piece = pending.shift()) onOutput(piece);
        } catch (error) {
          fail(error);
          return;
        }
        if (ended) resolve();
      };
      const schedule = (): void => {
        if (scheduled) return;
        scheduled = true;
        setImmediate(hand);
      };
      inflater.on('data', (piece: Buffer) => {
        pending.push(piece);
        schedule();
      });
      inflater.on('end', () => {
        ended = true;
        schedule();
      });
      inflater.on('error', fail);
      for (const part of parts) inflater.write(part);
      inflater.end();
    }),
};
