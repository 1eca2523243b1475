import type { ResolvedModel } from './resolved-model.js';

/**
 * How a load context reaches a model's files in a browser (or a Web Worker): over `fetch` from
 * the model's URL. Files of a hub model (`source` other than `folder`) go through the Cache API
 * (cache `accel-models`, keyed by their URL), so a page loads a model it fetched once without the
 * network. Bundlers that follow the package's `browser` field use this file in place of
 * `model-files.js`.
 */

/** Cache API cache that holds the files of hub models. */
export const modelCacheName = 'accel-models';

/** The file's URL under the model's folder URL. */
export function modelFilePath(model: ResolvedModel, relativePath: string): string {
  return new URL(relativePath, model.directory.endsWith('/') ? model.directory : `${model.directory}/`).href;
}

/** The parts of the Cache API used here (the project's type libraries are Node's, which lack it). */
interface ModelCache {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
}
interface ModelCacheStorage {
  open(name: string): Promise<ModelCache>;
}

function cacheStorage(): ModelCacheStorage | undefined {
  return (globalThis as { caches?: ModelCacheStorage }).caches;
}

/**
 * How a model's files are fetched: `network` for a folder on the page's origin, `cache-first` for
 * a hub model being downloaded (the Cache API, else the network, then into the cache), `cache-only`
 * for a hub model found offline (never the network).
 */
export type FetchPolicy = 'network' | 'cache-first' | 'cache-only';

export function fetchPolicy(model: ResolvedModel): FetchPolicy {
  return model.source === 'folder' ? 'network' : model.source === 'download' ? 'cache-first' : 'cache-only';
}

/** The file as a response, by `policy`; undefined when it is not there (the origin answers 404, or the cache lacks it offline). */
export async function fetchModelFile(url: string, policy: FetchPolicy): Promise<Response | undefined> {
  const storage = policy === 'network' ? undefined : cacheStorage();
  const cache = storage === undefined ? undefined : await storage.open(modelCacheName);
  const hit = await cache?.match(url);
  if (hit !== undefined || policy === 'cache-only') return hit;
  const response = await fetch(url);
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  if (cache !== undefined) await cache.put(url, response.clone());
  return response;
}

/** True when the file is in the cache (hub models) or, unless offline, the model's origin serves it. */
export async function modelFileExists(model: ResolvedModel, relativePath: string): Promise<boolean> {
  const url = modelFilePath(model, relativePath);
  const policy = fetchPolicy(model);
  if (policy !== 'network') {
    const storage = cacheStorage();
    if (storage !== undefined && (await (await storage.open(modelCacheName)).match(url)) !== undefined) return true;
    if (policy === 'cache-only') return false;
  }
  const response = await fetch(url, { method: 'HEAD' });
  return response.ok;
}

/** The file's text; rejects when the origin lacks it. */
export async function readModelText(model: ResolvedModel, relativePath: string): Promise<string> {
  const url = modelFilePath(model, relativePath);
  const response = await fetchModelFile(url, fetchPolicy(model));
  if (response === undefined) throw new Error(`${url} was not found`);
  return response.text();
}

/**
 * What a backend opens a session from: the file's URL for a model folder on the origin (the
 * runtime fetches it itself), or an object URL of the cached bytes for a hub model, revoked once
 * the session is made.
 */
export async function openSessionFile(model: ResolvedModel, relativePath: string): Promise<{ file: string; release(): void }> {
  const url = modelFilePath(model, relativePath);
  if (model.source === 'folder') return { file: url, release: () => undefined };
  const response = await fetchModelFile(url, fetchPolicy(model));
  if (response === undefined) throw new Error(`${url} was not found`);
  const objectUrl = URL.createObjectURL(await response.blob());
  return { file: objectUrl, release: () => URL.revokeObjectURL(objectUrl) };
}

/** Sizes are not looked up in browsers, where an endpoint has no replicas: always undefined. */
export async function modelFileSize(_model: ResolvedModel, _relativePath: string): Promise<number | undefined> {
  return undefined;
}
