import { memoizeAsync } from '../backend/runtime/memoize-async.js';

const encoder = new TextEncoder();

/** Node's synchronous hash when available: once loaded, hashing adds no macrotask, so concurrent requests still batch. */
const loadNodeCrypto = memoizeAsync(() => import('node:crypto').catch(() => undefined));

function encodeValue(value: unknown, chunks: Uint8Array[]): void {
  const tag = (text: string): void => {
    chunks.push(encoder.encode(text));
  };
  if (value === null || value === undefined) return tag(value === null ? 'N;' : 'U;');
  if (typeof value === 'string') {
    const bytes = encoder.encode(value);
    tag(`s${bytes.length}:`);
    chunks.push(bytes);
    return;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return tag(`${(typeof value)[0]}${String(value)};`);
  if (ArrayBuffer.isView(value)) {
    tag(`t${value.constructor.name}${value.byteLength}:`);
    chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return;
  }
  if (value instanceof ArrayBuffer) {
    tag(`b${value.byteLength}:`);
    chunks.push(new Uint8Array(value));
    return;
  }
  if (Array.isArray(value)) {
    tag(`a${value.length}[`);
    for (const entry of value) encodeValue(entry, chunks);
    return tag(']');
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    tag(`o${keys.length}{`);
    for (const key of keys) {
      encodeValue(key, chunks);
      encodeValue((value as Record<string, unknown>)[key], chunks);
    }
    return tag('}');
  }
  tag(`?${typeof value};`);
}

/**
 * A request's content id: the SHA-256 (hex) of a canonical encoding of its parts — strings as
 * UTF-8, numbers and booleans as text, typed arrays as their raw bytes, arrays in order, object
 * keys sorted. Equal ids mean equal requests, whatever the key order of their options.
 */
export async function contentId(...parts: unknown[]): Promise<string> {
  const chunks: Uint8Array[] = [];
  encodeValue(parts, chunks);
  const length = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const nodeCrypto = await loadNodeCrypto();
  if (nodeCrypto !== undefined) return nodeCrypto.createHash('sha256').update(bytes).digest('hex');
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
