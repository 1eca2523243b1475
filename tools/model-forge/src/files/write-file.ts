import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { DeferredBytes } from '../onnx/protobuf.js';
import type { FileContent } from './file-content.js';

const bufferSize = 1 << 20;

/**
 * Streams `content` to a temporary file next to `target`, then renames it into place, so
 * readers only ever see complete files. Temporary names are unique per process and call.
 */
export async function writeFileAtomically(
  target: string,
  content: FileContent,
  onBytesWritten: (bytesWritten: number) => void = () => {},
): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeChunks(temporary, content, onBytesWritten);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function writeChunks(path: string, content: FileContent, onBytesWritten: (bytesWritten: number) => void): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const buffer = Buffer.alloc(bufferSize);
    let buffered = 0;
    let written = 0;
    const flush = async (): Promise<void> => {
      if (buffered === 0) return;
      await writeAll(handle, buffer.subarray(0, buffered));
      written += buffered;
      buffered = 0;
      onBytesWritten(written);
    };
    for (const chunk of content.chunks) {
      const bytes = chunk instanceof Uint8Array ? chunk : produceChecked(chunk);
      if (buffered + bytes.length <= bufferSize) {
        buffer.set(bytes, buffered);
        buffered += bytes.length;
        continue;
      }
      await flush();
      if (bytes.length < bufferSize) {
        buffer.set(bytes, 0);
        buffered = bytes.length;
      } else {
        await writeAll(handle, bytes);
        written += bytes.length;
        onBytesWritten(written);
      }
    }
    await flush();
    if (written !== content.byteLength) {
      throw new Error(`Wrote ${written} bytes to ${path}, expected ${content.byteLength}`);
    }
  } finally {
    await handle.close();
  }
}

function produceChecked(chunk: DeferredBytes): Uint8Array {
  const bytes = chunk.produce();
  if (bytes.length !== chunk.byteLength) {
    throw new Error(`Deferred bytes ${chunk.fingerprint} produced ${bytes.length} bytes, declared ${chunk.byteLength}`);
  }
  return bytes;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
