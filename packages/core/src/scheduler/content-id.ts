import type * as NodeCrypto from 'node:crypto';
import { loadNodeCrypto } from './node-crypto.js';

/** Where the canonical encoding goes: text is UTF-8, bytes go as they are. */
interface EncodingSink {
  text(value: string): void;
  bytes(value: Uint8Array): void;
}

/** UTF-8 length of a string, without encoding it. */
function utf8Length(value: string): number {
  let length = 0;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < value.length && (value.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      index += 1;
    } else length += 3; // (a lone surrogate encodes as U+FFFD, 3 bytes)
  }
  return length;
}

function encodeValue(value: unknown, sink: EncodingSink): void {
  if (value === null || value === undefined) return sink.text(value === null ? 'N;' : 'U;');
  if (typeof value === 'string') return sink.text(`s${utf8Length(value)}:${value}`);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return sink.text(`${(typeof value)[0]}${String(value)};`);
  if (ArrayBuffer.isView(value)) {
    sink.text(`t${value.constructor.name}${value.byteLength}:`);
    return sink.bytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }
  if (value instanceof ArrayBuffer) {
    sink.text(`b${value.byteLength}:`);
    return sink.bytes(new Uint8Array(value));
  }
  if (Array.isArray(value)) {
    sink.text(`a${value.length}[`);
    for (const entry of value) encodeValue(entry, sink);
    return sink.text(']');
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    sink.text(`o${keys.length}{`);
    for (const key of keys) {
      encodeValue(key, sink);
      encodeValue((value as Record<string, unknown>)[key], sink);
    }
    return sink.text('}');
  }
  sink.text(`?${typeof value};`);
}

/**
 * Feeds the encoding to `update`, joining consecutive text into one string so a text-only
 * request costs one call.
 */
function encodeInto(parts: unknown[], update: (chunk: string | Uint8Array) => void): void {
  let pending = '';
  encodeValue(parts, {
    text: (value) => {
      pending += value;
    },
    bytes: (value) => {
      if (pending !== '') update(pending);
      pending = '';
      update(value);
    },
  });
  if (pending !== '') update(pending);
}

/**
 * A request's content id: the SHA-256 (hex) of a canonical encoding of its parts — strings as
 * their UTF-8 length and bytes, numbers and booleans as text, typed arrays as their raw bytes,
 * arrays in order, object keys sorted. Equal ids mean equal requests, whatever the key order of
 * their options.
 */
export async function contentId(...parts: unknown[]): Promise<string> {
  const nodeCrypto = await loadNodeCrypto();
  loadedNodeCrypto = nodeCrypto ?? null;
  if (nodeCrypto !== undefined) return hashWith(nodeCrypto, parts);
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  encodeInto(parts, (chunk) => chunks.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk));
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Node's crypto once `contentId` or `preloadContentIdHash` has loaded it; null where there is none (browsers). */
let loadedNodeCrypto: typeof NodeCrypto | null | undefined;

function hashWith(nodeCrypto: typeof NodeCrypto, parts: unknown[]): string {
  const hash = nodeCrypto.createHash('sha256');
  encodeInto(parts, (chunk) => (typeof chunk === 'string' ? hash.update(chunk, 'utf8') : hash.update(chunk)));
  return hash.digest('hex');
}

/** Loads the hash `contentIdSync` needs, so that it can answer. */
export async function preloadContentIdHash(): Promise<void> {
  loadedNodeCrypto = (await loadNodeCrypto()) ?? null;
}

/** Whether `contentIdSync` answers here and now. */
export function hashesSynchronously(): boolean {
  return Boolean(loadedNodeCrypto);
}

/**
 * `contentId` computed at once, where Node's synchronous hash is loaded (after `contentId` or
 * `preloadContentIdHash` ran); undefined where it is not (browsers, or before the load), for the
 * caller to use `contentId`.
 */
export function contentIdSync(...parts: unknown[]): string | undefined {
  return loadedNodeCrypto ? hashWith(loadedNodeCrypto, parts) : undefined;
}
