import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, basename } from 'node:path';
import { InvalidModelError } from '../errors/invalid-model-error.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { readManifest, type ModelManifest } from '../model-store/manifest.js';
import { isHubId } from '../model-store/safe-paths.js';
import { checkFiles, describeRequiredFile, integrityError, ModelStore, modelStoreSettings } from '../model-store/model-store.js';
import type { ModelSourceOptions } from './model-source-options.js';
import type { ResolvedModel } from './resolved-model.js';
import { exists } from './file-exists.js';
import type { RequiredFile } from '../skill/v1/skill-v1.js';

export function defaultCacheDirectory(): string {
  return modelStoreSettings().cacheDirectory;
}


async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function looksLikePath(model: string): boolean {
  return isAbsolute(model) || model.startsWith('.') || model.includes('\\') || !isHubId(model);
}


/**
 * The required files a folder holds, each group of alternatives resolved to the first present,
 * and the entries none of whose files it holds.
 */
async function presentFiles(directory: string, files: readonly RequiredFile[]): Promise<{ present: string[]; missing: RequiredFile[] }> {
  const present: string[] = [];
  const missing: RequiredFile[] = [];
  for (const entry of files) {
    let found: string | undefined;
    for (const file of typeof entry === 'string' ? [entry] : entry) {
      if (await exists(join(directory, file))) {
        found = file;
        break;
      }
    }
    if (found === undefined) missing.push(entry);
    else present.push(found);
  }
  return { present, missing };
}

/** The skill a model is resolved for: its name (for messages) and the `model_type` values it serves. */
export interface ModelExpectation {
  readonly skill: string;
  /** Undefined: any model_type is accepted. */
  readonly modelTypes?: readonly string[] | undefined;
}

/**
 * Refuses a folder whose config.json names a `model_type` the skill does not serve: the folder
 * exists and holds a model, just another family's, so it is `InvalidModelError` (naming what it
 * found), not a missing file. A folder without config.json, or a config without model_type, is
 * left to the file checks.
 */
async function checkModelType(model: string, directory: string, expected: ModelExpectation | undefined): Promise<void> {
  if (expected?.modelTypes === undefined) return;
  const path = join(directory, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  let modelType: unknown;
  try {
    modelType = (JSON.parse(text) as { model_type?: unknown } | null)?.model_type;
  } catch (error) {
    throw new InvalidModelError({ model, file: path, reason: 'not valid JSON', cause: error });
  }
  if (typeof modelType !== 'string' || expected.modelTypes.includes(modelType)) return;
  const served = expected.modelTypes.join(', ');
  const reason = `its config.json has model_type "${modelType}", and the ${expected.skill} skill serves model_type ${served}`;
  throw new InvalidModelError({
    model,
    file: path,
    reason,
    message: `model ${model} holds another family's model: ${reason}. Pass a ${served} model folder or hub id, or use a skill that serves ${modelType} models.`,
  });
}

/**
 * Finds a model on disk: a local folder, or a hub id under the cache folder. A hub id whose files
 * are not all cached is pulled from the hub (only those files, pinned to the folder's recorded
 * commit, verified) unless offline. With `expected`, a folder holding another family's model (by
 * config.json's `model_type`) is `InvalidModelError`, whatever files it has or lacks. A folder
 * with `accel-manifest.json` has its files' sizes checked on every load, and their SHA-256 when
 * `verify` is true: a truncated or corrupted file is `ModelIntegrityError`, naming it.
 */
export async function resolveModelSource(
  model: string,
  skillFiles: readonly RequiredFile[],
  options: ModelSourceOptions = {},
  expected?: ModelExpectation,
  verify = false,
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
    await checkModelType(model, asFolder, expected);
    const { present, missing } = await presentFiles(asFolder, requiredFiles);
    if (missing.length > 0) {
      throw new ModelNotFoundError({
        model,
        searched: [asFolder],
        hint: `The folder lacks ${missing.map(describeRequiredFile).join(', ')}. Export the model in transformers.js layout (config.json, tokenizer files, onnx/*.onnx).`,
      });
    }
    const manifest = await readManifest(asFolder, model);
    await checkAgainstManifest(model, asFolder, manifest, present, verify);
    return { id: manifest?.id ?? basename(asFolder), directory: asFolder, source: 'folder', ...(manifest?.revision ? { revision: manifest.revision } : {}) };
  }

  const store = new ModelStore(options);
  const cached = await store.directoryOf(model);
  await checkModelType(model, cached, expected);
  const { present, missing } = await presentFiles(cached, requiredFiles);
  const manifest = await readManifest(cached, model);
  // A revision asked for that the folder was not pulled at is fetched (when online), not ignored.
  const otherRevision =
    options.revision !== undefined && manifest !== undefined && manifest.revision !== options.revision && manifest.requestedRevision !== options.revision;
  if (missing.length === 0 && (!otherRevision || store.settings.offline)) {
    await checkAgainstManifest(model, cached, manifest, present, verify);
    return { id: model, directory: cached, source: 'cache', ...(manifest?.revision ? { revision: manifest.revision } : {}) };
  }
  if (store.settings.offline) {
    throw new ModelNotFoundError({
      model,
      searched: [cached],
      hint:
        `Missing ${missing.map(describeRequiredFile).join(', ')}, and downloads are off (offline: ACCEL_OFFLINE, HF_HUB_OFFLINE or --offline). ` +
        `Run \`accel models pull ${model}\` where there is network and copy the folder here, pass a local folder instead of the id, or turn offline mode off.`,
    });
  }
  // config.json first: a repository of another family is refused before its weights are fetched.
  if (missing.includes('config.json') && expected?.modelTypes !== undefined) {
    await store.pull(model, { files: ['config.json'] });
    await checkModelType(model, cached, expected);
  }
  const pulled = await store.pull(model, { files: requiredFiles });
  return { id: model, directory: cached, source: 'download', revision: pulled.revision };
}

async function checkAgainstManifest(model: string, directory: string, manifest: ModelManifest | undefined, files: readonly string[], verify: boolean): Promise<void> {
  if (manifest === undefined) return;
  const problems = await checkFiles(model, directory, manifest, files, verify ? 'hash' : 'size');
  if (problems.length > 0) throw integrityError(model, problems);
}
