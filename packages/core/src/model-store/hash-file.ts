import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** What a file's bytes are checked against: the hub's LFS SHA-256, or git's blob id for files kept in git. */
export type ExpectedDigest = { readonly kind: 'sha256'; readonly hex: string } | { readonly kind: 'git-oid'; readonly hex: string; readonly size: number };

/** A running hash that yields the value comparable with `expected`. */
export function digestFor(expected: ExpectedDigest | { readonly kind: 'sha256' }): Hash {
  const hash = createHash(expected.kind === 'sha256' ? 'sha256' : 'sha1');
  if (expected.kind === 'git-oid') hash.update(`blob ${expected.size}\0`);
  return hash;
}

/** Feeds the first `end` bytes of a file (all of it when undefined) into `hash`. */
export async function hashInto(hash: Hash, path: string, end?: number): Promise<void> {
  if (end === 0) return;
  const stream = createReadStream(path, end === undefined ? {} : { end: end - 1 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
}

/** SHA-256 of a file, hex. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, path);
  return hash.digest('hex');
}

/** True when the file's bytes give the expected digest. */
export async function hashMatches(path: string, expected: ExpectedDigest): Promise<boolean> {
  const hash = digestFor(expected);
  await hashInto(hash, path);
  return hash.digest('hex') === expected.hex;
}
