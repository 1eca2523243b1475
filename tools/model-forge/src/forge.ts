import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ForgeFile } from './files/file-content.js';
import { jsonContent } from './files/file-content.js';
import { writeFileAtomically } from './files/write-file.js';
import type { Manifest } from './manifest.js';
import { createManifest, isComplete, manifestFileName } from './manifest.js';
import type { ForgeSize } from './presets.js';
import { findPreset, presets } from './presets.js';

export interface ForgeProgressEvent {
  /** Path relative to the model folder. */
  readonly file: string;
  readonly bytesWritten: number;
  /** Size of this file when complete. */
  readonly totalBytes: number;
}

export interface ForgeOptions {
  /** Models go to `join(root, id)`. */
  root: string;
  /** Default `'tiny'`. */
  size?: ForgeSize;
  /** Called as each file is written (per 1 MiB for large files, once for small ones). Not called when the folder is already complete. */
  onProgress?: (event: ForgeProgressEvent) => void;
}

export interface ForgedModel {
  id: string;
  /** Absolute path of the model folder. */
  directory: string;
  size: ForgeSize;
  /** Paths relative to `directory`, not counting `forge-manifest.json`. */
  files: string[];
  /** Total size of `files`. */
  bytes: number;
}

/**
 * Writes the preset `id` into `join(root, id)`, or returns at once if the folder already holds
 * the same content (same `forge-manifest.json` and file sizes). Files are written under
 * temporary names and renamed into place; the manifest goes last.
 */
export async function forgeModel(id: string, options: ForgeOptions): Promise<ForgedModel> {
  const size = options.size ?? 'tiny';
  const directory = resolve(options.root, id);
  const { files, manifest } = plan(id, size);
  const result: ForgedModel = {
    id,
    directory,
    size,
    files: files.map((file) => file.path),
    bytes: files.reduce((total, file) => total + file.content.byteLength, 0),
  };
  if (await isComplete(directory, manifest)) return result;

  await rm(join(directory, manifestFileName), { force: true });
  for (const file of files) {
    const totalBytes = file.content.byteLength;
    await writeFileAtomically(join(directory, file.path), file.content, (bytesWritten) =>
      options.onProgress?.({ file: file.path, bytesWritten, totalBytes }),
    );
  }
  await writeFileAtomically(join(directory, manifestFileName), jsonContent(manifest));
  return result;
}

const plans = new Map<string, { files: ForgeFile[]; manifest: Manifest }>();

/** The files and manifest of a preset, built once per process (weights stay deferred). */
function plan(id: string, size: ForgeSize): { files: ForgeFile[]; manifest: Manifest } {
  const key = `${size}:${id}`;
  const existing = plans.get(key);
  if (existing !== undefined) return existing;
  const files = findPreset(id).files(size);
  const planned = { files, manifest: createManifest(id, size, files) };
  plans.set(key, planned);
  return planned;
}

export function listPresets(): Array<{ id: string; family: string; description: string }> {
  return presets.map(({ id, family, description }) => ({ id, family, description }));
}

export const presetIds: readonly string[] = Object.freeze(presets.map((preset) => preset.id));
