import { access, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, basename } from 'node:path';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { downloadModelFiles } from './download-model-files.js';
import type { ModelSourceOptions } from './model-source-options.js';
import type { ResolvedModel } from './resolved-model.js';

const hubIdPattern = /^[\w.-]+\/[\w.-]+$/;

export function defaultCacheDirectory(): string {
  return process.env.ACCEL_CACHE_DIR ?? join(homedir(), '.cache', 'accel', 'models');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function looksLikePath(model: string): boolean {
  return isAbsolute(model) || model.startsWith('.') || model.includes('\\') || !hubIdPattern.test(model);
}

async function missingFiles(directory: string, files: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const file of files) if (!(await exists(join(directory, file)))) missing.push(file);
  return missing;
}

/**
 * Finds a model on disk: a local folder, or a hub id under the cache folder. A hub id that is
 * not cached is downloaded only when allowed; otherwise the error names the folder it looked in
 * and how to supply the model.
 */
export async function resolveModelSource(
  model: string,
  skillFiles: readonly string[],
  options: ModelSourceOptions = {},
): Promise<ResolvedModel> {
  const requiredFiles = [...new Set(['config.json', ...skillFiles])];
  const asFolder = resolve(model);
  if (looksLikePath(model) || (await isDirectory(asFolder))) {
    if (!(await isDirectory(asFolder))) {
      throw new ModelNotFoundError({
        model,
        searched: [asFolder],
        hint: 'The folder does not exist. Pass an existing model folder or a hub id such as Xenova/all-MiniLM-L6-v2.',
      });
    }
    const missing = await missingFiles(asFolder, requiredFiles);
    if (missing.length > 0) {
      throw new ModelNotFoundError({
        model,
        searched: [asFolder],
        hint: `The folder lacks ${missing.join(', ')}. Export the model in transformers.js layout (config.json, tokenizer files, onnx/*.onnx).`,
      });
    }
    return { id: basename(asFolder), directory: asFolder, source: 'folder' };
  }

  const cacheDirectory = resolve(options.cacheDirectory ?? defaultCacheDirectory());
  const cached = join(cacheDirectory, model);
  const missing = await missingFiles(cached, requiredFiles);
  if (missing.length === 0) return { id: model, directory: cached, source: 'cache' };

  const allowDownload = options.allowDownload ?? process.env.ACCEL_ALLOW_DOWNLOAD === '1';
  if (!allowDownload) {
    throw new ModelNotFoundError({
      model,
      searched: [cached],
      hint:
        `Missing ${missing.join(', ')}. Put the model folder there, pass a local folder instead of the id, ` +
        'or allow downloads (allowDownload: true, ACCEL_ALLOW_DOWNLOAD=1, or --download on the command line).',
    });
  }
  await downloadModelFiles({ model, directory: cached, files: missing, options });
  return { id: model, directory: cached, source: 'download' };
}
