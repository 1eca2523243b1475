import { InvalidModelError } from '../errors/invalid-model-error.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import type { RequiredFile } from '../skill/v1/skill-v1.js';
import { fetchModelFile, fetchPolicy, modelFileExists, modelFilePath } from './model-files.browser.js';
import type { ModelSourceOptions } from './model-source-options.js';
import type { ResolvedModel } from './resolved-model.js';

/**
 * The browser's model source, used in place of `resolve-model-source.js` by bundlers that follow
 * the package's `browser` field. A model is a folder URL — absolute, or relative to the page or
 * worker (`/models/Xenova/all-MiniLM-L6-v2`) — or a hub id, whose files are fetched from
 * `remoteHost` (default `https://huggingface.co`) at `revision` (default `main`) into the Cache API
 * (cache `accel-models`) and read from there afterwards; `offline` forbids the fetch. The checks
 * are Node's: config.json's `model_type`, then every required file.
 */

const hubIdPattern = /^[\w.-]{1,96}\/[\w.-]{1,96}$/;

function isHubId(value: string): boolean {
  return hubIdPattern.test(value) && value.split('/').every((part) => part !== '.' && part !== '..' && !part.startsWith('.'));
}

function describeRequiredFile(file: RequiredFile): string {
  return typeof file === 'string' ? file : `${file[0]}${file.length > 1 ? ` (or ${file.slice(1).join(', ')})` : ''}`;
}

/** The skill a model is resolved for: its name (for messages) and the `model_type` values it serves. */
export interface ModelExpectation {
  readonly skill: string;
  readonly modelTypes?: readonly string[] | undefined;
}

function baseUrl(): string {
  const location = (globalThis as { location?: { href: string } }).location;
  if (location === undefined) throw new ModelNotFoundError({ model: '', searched: [], hint: 'No page location to resolve a model folder against.' });
  return location.href;
}

async function missingFiles(model: ResolvedModel, files: readonly RequiredFile[]): Promise<RequiredFile[]> {
  const missing: RequiredFile[] = [];
  for (const entry of files) {
    let found = false;
    for (const file of typeof entry === 'string' ? [entry] : entry) {
      if (await modelFileExists(model, file)) {
        found = true;
        break;
      }
    }
    if (!found) missing.push(entry);
  }
  return missing;
}

async function checkModelType(model: ResolvedModel, name: string, expected: ModelExpectation | undefined): Promise<void> {
  if (expected?.modelTypes === undefined) return;
  const url = modelFilePath(model, 'config.json');
  const response = await fetchModelFile(url, fetchPolicy(model));
  if (response === undefined) return;
  let modelType: unknown;
  try {
    modelType = ((await response.json()) as { model_type?: unknown } | null)?.model_type;
  } catch (error) {
    throw new InvalidModelError({ model: name, file: url, reason: 'not valid JSON', cause: error });
  }
  if (typeof modelType !== 'string' || expected.modelTypes.includes(modelType)) return;
  const served = expected.modelTypes.join(', ');
  const reason = `its config.json has model_type "${modelType}", and the ${expected.skill} skill serves model_type ${served}`;
  throw new InvalidModelError({
    model: name,
    file: url,
    reason,
    message: `model ${name} holds another family's model: ${reason}. Pass a ${served} model folder or hub id, or use a skill that serves ${modelType} models.`,
  });
}

export async function resolveModelSource(
  model: string,
  skillFiles: readonly RequiredFile[],
  options: ModelSourceOptions = {},
  expected?: ModelExpectation,
): Promise<ResolvedModel> {
  const requiredFiles = [...new Set(['config.json', ...skillFiles])];
  if (isHubId(model)) {
    const remoteHost = (options.remoteHost ?? 'https://huggingface.co').replace(/\/+$/, '');
    const revision = options.revision ?? 'main';
    const directory = `${remoteHost}/${model}/resolve/${encodeURIComponent(revision)}`;
    const cached: ResolvedModel = { id: model, directory, source: 'cache' };
    // Files already in the Cache API count as present; with downloads on, the rest are fetched (and cached) as they are read.
    const missing = options.offline ? await missingFiles(cached, requiredFiles) : [];
    if (missing.length > 0) {
      throw new ModelNotFoundError({
        model,
        searched: [directory],
        hint: `Missing ${missing.map(describeRequiredFile).join(', ')} in the browser's cache, and downloads are off (offline). Load the page online once, or serve the model folder from the page's origin.`,
      });
    }
    const resolved: ResolvedModel = { id: model, directory, source: options.offline ? 'cache' : 'download' };
    await checkModelType(resolved, model, expected);
    const absent = await missingFiles(resolved, requiredFiles);
    if (absent.length > 0) {
      throw new ModelNotFoundError({ model, searched: [directory], hint: `The hub repository lacks ${absent.map(describeRequiredFile).join(', ')}.` });
    }
    return resolved;
  }
  const directory = new URL(model.replace(/\/+$/, ''), baseUrl()).href;
  const name = directory.split('/').pop() ?? model;
  const resolved: ResolvedModel = { id: name, directory, source: 'folder' };
  if (!(await modelFileExists(resolved, 'config.json'))) {
    throw new ModelNotFoundError({
      model,
      searched: [directory],
      hint: 'No config.json at this URL. Serve the model folder (transformers.js layout) from the page\'s origin, or pass a hub id such as Xenova/all-MiniLM-L6-v2.',
    });
  }
  await checkModelType(resolved, model, expected);
  const missing = await missingFiles(resolved, requiredFiles);
  if (missing.length > 0) {
    throw new ModelNotFoundError({
      model,
      searched: [directory],
      hint: `The folder lacks ${missing.map(describeRequiredFile).join(', ')}. Export the model in transformers.js layout (config.json, tokenizer files, onnx/*.onnx).`,
    });
  }
  return resolved;
}
