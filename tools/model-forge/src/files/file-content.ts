import type { Hash } from 'node:crypto';
import type { ModelDefinition } from '../onnx/definitions.js';
import { encodeModel } from '../onnx/encode-model.js';
import type { Chunk } from '../onnx/protobuf.js';

/** A file's bytes as chunks, some of them produced only while the file is written. */
export interface FileContent {
  readonly byteLength: number;
  readonly chunks: readonly Chunk[];
}

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function jsonContent(value: unknown): FileContent {
  const bytes = new TextEncoder().encode(jsonText(value));
  return { byteLength: bytes.length, chunks: [bytes] };
}

export function onnxContent(model: ModelDefinition): FileContent {
  const message = encodeModel(model);
  return { byteLength: message.byteLength, chunks: message.chunks };
}

/** Adds a fingerprint of the content to `hash` without producing deferred bytes. */
export function hashContent(hash: Hash, content: FileContent): void {
  for (const chunk of content.chunks) {
    if (chunk instanceof Uint8Array) {
      hash.update(chunk);
    } else {
      hash.update(`\0deferred:${chunk.byteLength}:${chunk.fingerprint}\0`);
    }
  }
}

/** One file of a model folder: its path relative to the folder, and its bytes. */
export interface ForgeFile {
  readonly path: string;
  readonly content: FileContent;
}
