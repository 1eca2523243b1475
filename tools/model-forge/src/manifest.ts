import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ForgeFile } from './files/file-content.js';
import { hashContent, jsonText } from './files/file-content.js';
import type { ForgeSize } from './presets.js';
import { forgeName, forgeVersion } from './version.js';

export const manifestFileName = 'forge-manifest.json';

export interface Manifest {
  readonly generator: string;
  readonly version: string;
  readonly id: string;
  readonly size: ForgeSize;
  /** SHA-256 over every file's path and content (deferred weights by their seed and size). */
  readonly contentHash: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly bytes: number }>;
}

export function createManifest(id: string, size: ForgeSize, files: readonly ForgeFile[]): Manifest {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`\0file:${file.path}\0`);
    hashContent(hash, file.content);
  }
  return {
    generator: forgeName,
    version: forgeVersion,
    id,
    size,
    contentHash: hash.digest('hex'),
    files: files.map((file) => ({ path: file.path, bytes: file.content.byteLength })),
  };
}

/** True when `directory` holds exactly this manifest and every file it lists, at its size. */
export async function isComplete(directory: string, manifest: Manifest): Promise<boolean> {
  const existing = await readFile(join(directory, manifestFileName), 'utf8').catch(() => undefined);
  if (existing !== jsonText(manifest)) return false;
  const sizes = await Promise.all(
    manifest.files.map((file) => stat(join(directory, file.path)).then((stats) => stats.size, () => -1)),
  );
  return sizes.every((size, index) => size === manifest.files[index]!.bytes);
}
