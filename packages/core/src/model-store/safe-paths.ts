import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/** `owner/name`, each part letters, digits, `_`, `-`, `.`, and neither part `.` or `..` (the hub's own rule, less `--`). */
const hubIdPattern = /^[\w.-]{1,96}\/[\w.-]{1,96}$/;

/** True for a string shaped like a hub id. Says nothing about whether the repository exists. */
export function isHubId(value: string): boolean {
  return hubIdPattern.test(value) && value.split('/').every((part) => part !== '.' && part !== '..' && !part.startsWith('.'));
}

/** Refuses anything but a hub id: a model id names a folder under the cache, so `..` or `/abs` would escape it. */
export function checkHubId(id: string): void {
  if (!isHubId(id)) {
    throw new InvalidInputError({ reason: `model id ${JSON.stringify(id)} is not a hub id of the form owner/name (letters, digits, "-", "_", "."; no "..")` });
  }
}

/**
 * Refuses a repository file path that could land outside the model folder: absolute, `..` or `.`
 * segments, backslashes, NUL or empty segments. The hub's tree listing is input from the network.
 */
export function checkRepoFilePath(model: string, file: string): void {
  const bad =
    file.length === 0 ||
    file.length > 1024 ||
    isAbsolute(file) ||
    file.includes('\\') ||
    file.includes('\0') ||
    file.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) throw new InvalidInputError({ reason: `model ${model}: refusing file path ${JSON.stringify(file)} (it would leave the model folder)` });
}

/** `folder/file` after checking that it stays inside `folder`. */
export function fileInside(model: string, folder: string, file: string): string {
  checkRepoFilePath(model, file);
  const path = resolve(folder, file);
  const rel = relative(folder, path);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new InvalidInputError({ reason: `model ${model}: file ${file} resolves outside ${folder}` });
  return path;
}

/**
 * The cache folder of a hub id, refusing symbolic links on the way: a link planted in the cache
 * (`owner -> /etc`) would make a pull write, or an `rm` delete, outside it.
 */
export async function modelFolder(cacheDirectory: string, id: string): Promise<string> {
  checkHubId(id);
  const [owner = '', name = ''] = id.split('/');
  const root = resolve(cacheDirectory);
  for (const path of [join(root, owner), join(root, owner, name)]) {
    const stats = await lstat(path).catch(() => undefined);
    if (stats?.isSymbolicLink()) throw new InvalidInputError({ reason: `model ${id}: ${path} is a symbolic link; the model cache holds real folders only` });
  }
  const folder = join(root, owner, name);
  const real = await realpath(folder).catch(() => undefined);
  const realRoot = await realpath(root).catch(() => root);
  if (real !== undefined && real !== folder && !real.startsWith(realRoot + sep)) {
    throw new InvalidInputError({ reason: `model ${id}: ${folder} resolves outside the cache (${real})` });
  }
  return folder;
}

/** Refuses a file inside a model folder that is a symbolic link (a pull never writes one). */
export async function checkNotLink(model: string, path: string): Promise<void> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats?.isSymbolicLink()) throw new InvalidInputError({ reason: `model ${model}: ${path} is a symbolic link; refusing to read or write through it` });
}
