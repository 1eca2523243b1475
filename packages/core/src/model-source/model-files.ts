import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedModel } from './resolved-model.js';
import { exists } from './file-exists.js';

/**
 * How a load context reaches a model's files. This is the Node version (the file system);
 * bundlers that follow the package's `browser` field swap in `model-files.browser.js`, which
 * fetches them from the model's URL.
 */

/** Where a file of the model lives: a path under its folder. */
export function modelFilePath(model: ResolvedModel, relativePath: string): string {
  return join(model.directory, relativePath);
}

/** True when the model folder holds the file. */
export function modelFileExists(model: ResolvedModel, relativePath: string): Promise<boolean> {
  return exists(modelFilePath(model, relativePath));
}

/** The file's size in bytes, or undefined when the folder lacks it. */
export async function modelFileSize(model: ResolvedModel, relativePath: string): Promise<number | undefined> {
  try {
    return (await stat(modelFilePath(model, relativePath))).size;
  } catch {
    return undefined;
  }
}

/** The file's text; rejects when the folder lacks it. */
export function readModelText(model: ResolvedModel, relativePath: string): Promise<string> {
  return readFile(modelFilePath(model, relativePath), 'utf8');
}

/** What a backend opens a session from (its path here), and what to free once it has. */
export async function openSessionFile(model: ResolvedModel, relativePath: string): Promise<{ file: string; release(): void }> {
  return { file: modelFilePath(model, relativePath), release: () => undefined };
}
