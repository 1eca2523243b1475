import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidModelError } from '../errors/invalid-model-error.js';

export const manifestFileName = 'accel-manifest.json';

/** One file of a stored model, as its manifest records it. */
export interface ManifestFile {
  readonly size: number;
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
  /** CIDv1 of the content as `ipfs add --cid-version=1 --raw-leaves` gives it (UnixFS, 256 KiB chunks). */
  readonly cid: string;
  /** Where the bytes came from. */
  readonly source: 'hub' | 'ipfs' | 'local';
  /** When the bytes were last hashed and found equal to `sha256` (ISO 8601). */
  readonly verifiedAt: string;
}

/** `accel-manifest.json`: what a model folder holds and where it came from. */
export interface ModelManifest {
  readonly manifestVersion: 1;
  readonly id: string;
  /** The commit the files were taken from. */
  readonly revision: string | undefined;
  /** The branch, tag or commit that was asked for (`main` unless pinned otherwise). */
  readonly requestedRevision: string | undefined;
  /** The hub the files came from. */
  readonly endpoint: string | undefined;
  readonly files: Readonly<Record<string, ManifestFile>>;
  readonly updatedAt: string;
}

export async function readManifest(directory: string, id: string): Promise<ModelManifest | undefined> {
  const path = join(directory, manifestFileName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let value: ModelManifest;
  try {
    value = JSON.parse(text) as ModelManifest;
  } catch (error) {
    throw new InvalidModelError({ model: id, file: path, reason: 'not valid JSON (delete it and pull again, or run accel models verify)', cause: error });
  }
  if (value?.manifestVersion !== 1 || typeof value.files !== 'object' || value.files === null) {
    throw new InvalidModelError({ model: id, file: path, reason: `not an accel manifest of version 1` });
  }
  return value;
}

/** Writes the manifest atomically (a reader never sees half of it). */
export async function writeManifest(directory: string, manifest: ModelManifest): Promise<void> {
  const path = join(directory, manifestFileName);
  const temporary = `${path}.${process.pid}.tmp`;
  const sorted = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeFile(temporary, `${JSON.stringify({ ...manifest, files: sorted }, null, 2)}\n`);
  await rename(temporary, path);
}
