import { readdir, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Dtype } from '../backend/v1/dtype.js';
import { dtypes as allDtypes, isDtype } from '../backend/v1/dtype.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { ModelIntegrityError } from '../errors/model-integrity-error.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import type { ModelSourceOptions, ModelStoreEvent } from '../model-source/model-source-options.js';
import type { RequiredFile } from '../skill/v1/skill-v1.js';
import { dtypesBySession, externalDataOf, isTopLevelJson, parseOnnxFile } from './dtype-files.js';
import { fetchHubFile } from './fetch-file.js';
import { fileSize } from './file-facts.js';
import { withFolderLock } from './folder-lock.js';
import { hashMatches, sha256OfFile } from './hash-file.js';
import { HubClient, type HubFile } from './hub-client.js';
import { manifestFileName, readManifest, writeManifest, type ManifestFile, type ModelManifest } from './manifest.js';
import { checkHubId, checkNotLink, fileInside, modelFolder } from './safe-paths.js';

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());

/** The store's settings after options and environment: options win, then accel's variables, then the hub's. */
export interface ModelStoreSettings {
  readonly cacheDirectory: string;
  readonly offline: boolean;
  readonly endpoint: string;
  readonly token: string | undefined;
  readonly ipfsGateway: string | undefined;
  readonly concurrency: number;
}

export function modelStoreSettings(options: ModelSourceOptions = {}, env: NodeJS.ProcessEnv = process.env): ModelStoreSettings {
  return {
    cacheDirectory: resolve(options.cacheDirectory ?? env.ACCEL_CACHE_DIR ?? join(homedir(), '.cache', 'accel', 'models')),
    offline: options.offline ?? (truthy(env.ACCEL_OFFLINE) || truthy(env.HF_HUB_OFFLINE)),
    endpoint: (options.remoteHost ?? env.ACCEL_REMOTE_HOST ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    token: options.token ?? env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN,
    ipfsGateway: options.ipfsGateway ?? env.ACCEL_IPFS_GATEWAY,
    concurrency: options.concurrency ?? 4,
  };
}

export interface PullOptions {
  /** Weight precisions to fetch ONNX files for (all sessions). Default `fp32`. Ignored when `files` is given. */
  readonly dtype?: Dtype | readonly Dtype[];
  /**
   * Exactly these files (plus their external data and the top-level JSON configs), e.g. what a
   * skill loads; a list entry means one of its files, the first the repository has.
   */
  readonly files?: readonly RequiredFile[];
  /** Branch, tag or commit. Default: the folder's pinned commit when `files` is given, else `main`. */
  readonly revision?: string;
  /** `ipfs`: fetch each file by its manifest CID from an IPFS gateway (`ipfsGateway`), falling back to the hub. */
  readonly from?: 'hub' | 'ipfs';
  /** A manifest (e.g. from another machine or `export-car`) giving the CIDs for `from: 'ipfs'`. */
  readonly manifest?: ModelManifest;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ModelStoreEvent) => void;
}

export interface PullResult {
  readonly id: string;
  readonly directory: string;
  readonly revision: string;
  /** Files the model folder now holds for this pull, with where their bytes came from. */
  readonly files: readonly { readonly path: string; readonly size: number; readonly source: 'hub' | 'ipfs' | 'cache' }[];
  /** Bytes fetched over the network in this pull. */
  readonly downloadedBytes: number;
}

export interface StoredModel {
  readonly id: string;
  readonly directory: string;
  readonly revision: string | undefined;
  /** Dtypes with at least one ONNX file on disk. */
  readonly dtypes: readonly Dtype[];
  readonly files: number;
  readonly bytes: number;
  /** Oldest `verifiedAt` among the files: everything was verified at least this recently. */
  readonly verifiedAt: string | undefined;
}

export interface VerifyProblem {
  readonly file: string;
  readonly problem: string;
}

export interface VerifyReport {
  readonly id: string;
  readonly directory: string;
  readonly files: number;
  readonly ok: boolean;
  readonly problems: readonly VerifyProblem[];
}

/** `id` or a folder of the cache: which stored models an operation covers. */
async function storedIds(cacheDirectory: string): Promise<string[]> {
  const ids: string[] = [];
  const owners = await readdir(cacheDirectory, { withFileTypes: true }).catch(() => []);
  for (const owner of owners) {
    if (!owner.isDirectory()) continue;
    const names = await readdir(join(cacheDirectory, owner.name), { withFileTypes: true }).catch(() => []);
    for (const name of names) if (name.isDirectory()) ids.push(`${owner.name}/${name.name}`);
  }
  return ids.sort();
}

async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure;
}

/** The last pull into each model folder from this process; the next one waits for it. */
const pullsInFlight = new Map<string, Promise<unknown>>();

/**
 * Models on disk under hub ids: pull (only the files a dtype or a skill needs, pinned to a commit,
 * resumable, verified against the hub's SHA-256), list, remove, re-verify, and export as a CAR.
 * Each model folder carries `accel-manifest.json` with every file's size, SHA-256 and CIDv1.
 */
export class ModelStore {
  private readonly options: ModelSourceOptions;

  constructor(options: ModelSourceOptions = {}) {
    this.options = options;
  }

  get settings(): ModelStoreSettings {
    return modelStoreSettings(this.options);
  }

  /** The folder a hub id is stored in (whether or not it exists yet). */
  directoryOf(id: string): Promise<string> {
    return modelFolder(this.settings.cacheDirectory, id);
  }

  /** Reads the manifest of a stored model, if it has one. */
  async manifestOf(id: string): Promise<ModelManifest | undefined> {
    return readManifest(await this.directoryOf(id), id);
  }

  /**
   * Downloads what is missing or stale, verifies it, and records it in the manifest. Pulls into
   * the same folder from this process run one after another (two endpoints of one model share the
   * download instead of writing the same `.partial` twice).
   */
  async pull(id: string, options: PullOptions = {}): Promise<PullResult> {
    checkHubId(id);
    const directory = await this.directoryOf(id);
    const previous = pullsInFlight.get(directory) ?? Promise.resolve();
    const current = previous
      .catch(() => undefined)
      .then(() => withFolderLock(directory, () => this.pullNow(id, directory, options), () => this.emit(options, { type: 'download-wait', model: id, reason: `another process is pulling into ${directory}` }), options.signal));
    const settled = current.catch(() => undefined);
    pullsInFlight.set(directory, settled);
    void settled.then(() => {
      if (pullsInFlight.get(directory) === settled) pullsInFlight.delete(directory);
    });
    return current;
  }

  private emit(options: PullOptions, event: ModelStoreEvent): void {
    options.onProgress?.(event);
    this.options.onProgress?.(event);
  }

  private async pullNow(id: string, directory: string, options: PullOptions): Promise<PullResult> {
    const settings = this.settings;
    const emit = (event: ModelStoreEvent): void => this.emit(options, event);
    const existing = await readManifest(directory, id);
    const from = options.from ?? 'hub';
    if (from === 'ipfs') return this.pullFromIpfs(id, directory, existing, options, emit);
    if (settings.offline) {
      throw new ModelNotFoundError({
        model: id,
        searched: [directory],
        hint: 'Downloads are off (offline: ACCEL_OFFLINE, HF_HUB_OFFLINE or --offline). Pull the model where there is network, copy the folder here, or unset offline mode.',
      });
    }
    const client = new HubClient({ endpoint: settings.endpoint, token: settings.token });
    // An asked-for revision wins; otherwise an endpoint's pull stays on the folder's pinned commit.
    const requested = options.revision ?? this.options.revision ?? (options.files !== undefined ? existing?.revision : undefined) ?? 'main';
    const commit = /^[0-9a-f]{40}$/.test(requested) ? requested : await client.resolveRevision(id, requested, options.signal);
    const tree = await client.listFiles(id, commit, options.signal);
    const wanted = selectFiles(id, directory, tree, options);
    const manifestFiles: Record<string, ManifestFile> = existing?.revision === commit || existing?.revision === undefined ? { ...(existing?.files ?? {}) } : {};
    if (existing?.revision !== undefined && existing.revision !== commit) {
      // Another commit: keep only files whose bytes are unchanged (same SHA-256).
      for (const file of wanted) {
        const old = existing.files[file.path];
        if (old !== undefined && file.sha256 !== undefined && old.sha256 === file.sha256) manifestFiles[file.path] = old;
      }
    }
    const toFetch: HubFile[] = [];
    const kept: PullResult['files'][number][] = [];
    for (const file of wanted) {
      const path = fileInside(id, directory, file.path);
      await checkNotLink(id, path);
      const size = await fileSize(path);
      const recorded = manifestFiles[file.path];
      if (size === file.size) {
        // A pull re-hashes what it keeps: a file corrupted since (accel models verify names it) is fetched again.
        const sha256 = await sha256OfFile(path);
        const matches =
          file.sha256 !== undefined ? sha256 === file.sha256 : file.gitOid !== undefined ? await hashMatches(path, { kind: 'git-oid', hex: file.gitOid, size }) : recorded?.sha256 === sha256;
        if (matches) {
          manifestFiles[file.path] =
            recorded !== undefined && recorded.sha256 === sha256 ? { ...recorded, verifiedAt: new Date().toISOString() } : await this.describeFile(path, size, 'local', sha256);
          kept.push({ path: file.path, size, source: 'cache' });
          continue;
        }
      }
      toFetch.push(file);
    }
    const totalBytes = toFetch.reduce((sum, file) => sum + file.size, 0);
    emit({ type: 'download-start', model: id, revision: commit, files: toFetch.map((file) => ({ file: file.path, bytes: file.size })), totalBytes });
    const startedAt = performance.now();
    const fetched: PullResult['files'][number][] = [];
    try {
      await runPool(toFetch, settings.concurrency, async (file) => {
        const target = fileInside(id, directory, file.path);
        await fetchHubFile({
          client,
          id,
          commit,
          file,
          target,
          signal: options.signal,
          onBytes: (bytesReceived, resumed) => emit({ type: 'download-progress', model: id, file: file.path, bytesReceived, totalBytes: file.size, ...(resumed ? { resumed } : {}) }),
        });
        manifestFiles[file.path] = await this.describeFile(target, file.size, 'hub', file.sha256);
        fetched.push({ path: file.path, size: file.size, source: 'hub' });
      });
    } finally {
      // Whatever arrived and verified is recorded, so a failed pull's next try skips it.
      if (Object.keys(manifestFiles).length > 0) {
        await writeManifest(directory, { manifestVersion: 1, id, revision: commit, requestedRevision: requested, endpoint: settings.endpoint, files: manifestFiles, updatedAt: new Date().toISOString() });
      }
    }
    emit({ type: 'download-done', model: id, revision: commit, bytes: totalBytes, ms: performance.now() - startedAt });
    return { id, directory, revision: commit, files: [...kept, ...fetched].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), downloadedBytes: totalBytes };
  }

  /** Stored models, with their pinned commit, dtypes, size and when they were last verified. */
  async list(): Promise<StoredModel[]> {
    const { cacheDirectory } = this.settings;
    const models: StoredModel[] = [];
    for (const id of await storedIds(cacheDirectory)) {
      const directory = join(cacheDirectory, id);
      const manifest = await readManifest(directory, id).catch(() => undefined);
      const entries = await readdir(directory, { recursive: true, withFileTypes: true });
      let bytes = 0;
      let files = 0;
      const found = new Set<Dtype>();
      for (const entry of entries) {
        if (!entry.isFile() || entry.name === manifestFileName || entry.name.endsWith('.partial')) continue;
        const path = join(entry.parentPath, entry.name);
        bytes += (await fileSize(path)) ?? 0;
        files += 1;
        const relativePath = path.slice(directory.length + 1).split('\\').join('/');
        const parsed = parseOnnxFile(relativePath);
        if (parsed) found.add(parsed.dtype);
      }
      const verified = manifest ? Object.values(manifest.files).map((file) => file.verifiedAt).sort()[0] : undefined;
      models.push({ id, directory, revision: manifest?.revision, dtypes: allDtypes.filter((dtype) => found.has(dtype)), files, bytes, verifiedAt: verified });
    }
    return models;
  }

  /** Deletes a stored model's folder. False when it was not stored. */
  async remove(id: string): Promise<boolean> {
    const directory = await this.directoryOf(id);
    if ((await stat(directory).catch(() => undefined)) === undefined) return false;
    await rm(directory, { recursive: true, force: true });
    return true;
  }

  /** Re-hashes every file of one stored model (or all) against its manifest; records when it passed. */
  async verify(id?: string): Promise<VerifyReport[]> {
    const ids = id === undefined ? await storedIds(this.settings.cacheDirectory) : [id];
    const reports: VerifyReport[] = [];
    for (const each of ids) {
      const directory = await this.directoryOf(each);
      const manifest = await readManifest(directory, each);
      if (manifest === undefined) {
        const exists = (await stat(directory).catch(() => undefined)) !== undefined;
        reports.push({ id: each, directory, files: 0, ok: false, problems: [{ file: manifestFileName, problem: exists ? 'missing: this folder was not pulled by accel, so there is nothing to verify against' : 'model not stored' }] });
        continue;
      }
      const problems = await checkFiles(each, directory, manifest, Object.keys(manifest.files), 'hash');
      if (problems.length === 0) {
        const now = new Date().toISOString();
        const files = Object.fromEntries(Object.entries(manifest.files).map(([path, file]) => [path, { ...file, verifiedAt: now }]));
        await writeManifest(directory, { ...manifest, files, updatedAt: now });
      }
      reports.push({ id: each, directory, files: Object.keys(manifest.files).length, ok: problems.length === 0, problems });
    }
    return reports;
  }

  /** Writes a CARv1 of a stored model (a UnixFS folder of its manifest's files) that IPFS can pin. */
  async exportCar(id: string, output: string): Promise<{ root: string; files: Record<string, string> }> {
    const directory = await this.directoryOf(id);
    const manifest = await readManifest(directory, id);
    if (manifest === undefined) throw new ModelNotFoundError({ model: id, searched: [directory], hint: `Pull it first: accel models pull ${id}` });
    const problems = await checkFiles(id, directory, manifest, Object.keys(manifest.files), 'size');
    if (problems.length > 0) throw integrityError(id, problems);
    const { writeModelCar } = await import('./ipfs/car-export.js');
    const written = await writeModelCar({ directory, files: Object.keys(manifest.files), output });
    for (const [path, cid] of Object.entries(written.files)) {
      if (manifest.files[path]?.cid !== cid) {
        throw new ModelIntegrityError({ model: id, file: path, expected: `cid ${manifest.files[path]?.cid}`, actual: `cid ${cid}` });
      }
    }
    return written;
  }

  private async describeFile(path: string, size: number, source: ManifestFile['source'], knownSha256?: string): Promise<ManifestFile> {
    const { unixfsCid } = await import('./ipfs/unixfs-cid.js');
    const [sha256, cid] = await Promise.all([knownSha256 ?? sha256OfFile(path), unixfsCid(path)]);
    return { size, sha256, cid, source, verifiedAt: new Date().toISOString() };
  }

  private async pullFromIpfs(id: string, directory: string, existing: ModelManifest | undefined, options: PullOptions, emit: (event: ModelStoreEvent) => void): Promise<PullResult> {
    const settings = this.settings;
    const gateway = settings.ipfsGateway;
    if (gateway === undefined) throw new InvalidInputError({ reason: 'pulling from IPFS needs a gateway: set ACCEL_IPFS_GATEWAY (or the ipfsGateway option) to a trustless gateway URL' });
    const manifest = options.manifest ?? existing;
    if (manifest === undefined) {
      throw new InvalidInputError({ reason: `pulling ${id} from IPFS needs its manifest (the CID of each file): pass one (--manifest accel-manifest.json), or pull it from the hub once` });
    }
    if (manifest.id !== id) throw new InvalidInputError({ reason: `the manifest is for ${manifest.id}, not ${id}` });
    const { fetchFromGateway, GatewayUnavailableError } = await import('./ipfs/gateway-source.js');
    const wanted = selectManifestFiles(manifest, options);
    const manifestFiles: Record<string, ManifestFile> = { ...(existing !== undefined && existing.revision === manifest.revision ? existing.files : {}) };
    const kept: PullResult['files'][number][] = [];
    const toFetch: [string, ManifestFile][] = [];
    for (const [path, file] of wanted) {
      const target = fileInside(id, directory, path);
      await checkNotLink(id, target);
      if ((await fileSize(target)) === file.size && (await sha256OfFile(target)) === file.sha256) {
        manifestFiles[path] = { ...(manifestFiles[path] ?? { ...file, source: 'local' }), verifiedAt: new Date().toISOString() };
        kept.push({ path, size: file.size, source: 'cache' });
      } else toFetch.push([path, file]);
    }
    const totalBytes = toFetch.reduce((sum, [, file]) => sum + file.size, 0);
    emit({ type: 'download-start', model: id, revision: manifest.revision ?? 'unknown', files: toFetch.map(([file, entry]) => ({ file, bytes: entry.size })), totalBytes });
    const startedAt = performance.now();
    const fetched: PullResult['files'][number][] = [];
    let client: HubClient | undefined;
    try {
      await runPool(toFetch, settings.concurrency, async ([path, file]) => {
        const target = fileInside(id, directory, path);
        try {
          await fetchFromGateway({
            gateway,
            cid: file.cid,
            model: id,
            file: path,
            target,
            expectedSize: file.size,
            ...(options.signal ? { signal: options.signal } : {}),
            onBytes: (bytesReceived: number) => emit({ type: 'download-progress', model: id, file: path, bytesReceived, totalBytes: file.size }),
          });
          const sha256 = await sha256OfFile(target);
          if (sha256 !== file.sha256) {
            await rm(target, { force: true });
            throw new ModelIntegrityError({ model: id, file: path, expected: `sha256 ${file.sha256}`, actual: `sha256 ${sha256}` });
          }
          manifestFiles[path] = { ...file, source: 'ipfs', verifiedAt: new Date().toISOString() };
          fetched.push({ path, size: file.size, source: 'ipfs' });
        } catch (error) {
          if (!(error instanceof GatewayUnavailableError)) throw error;
          // The gateway lacks the content (or is down): the hub, at the manifest's commit, checked against the same SHA-256.
          emit({ type: 'download-fallback', model: id, file: path, from: 'ipfs', to: 'hub', reason: error.reason });
          if (settings.offline) throw new ModelNotFoundError({ model: id, searched: [gateway], hint: `The gateway lacks ${path} (${error.reason}) and downloads from the hub are off (offline).` });
          client ??= new HubClient({ endpoint: settings.endpoint, token: settings.token });
          await fetchHubFile({
            client,
            id,
            commit: manifest.revision ?? 'main',
            file: { path, size: file.size, sha256: file.sha256 },
            target,
            signal: options.signal,
            onBytes: (bytesReceived, resumed) => emit({ type: 'download-progress', model: id, file: path, bytesReceived, totalBytes: file.size, ...(resumed ? { resumed } : {}) }),
          });
          manifestFiles[path] = { ...file, source: 'hub', verifiedAt: new Date().toISOString() };
          fetched.push({ path, size: file.size, source: 'hub' });
        }
      });
    } finally {
      if (Object.keys(manifestFiles).length > 0) {
        await writeManifest(directory, { ...manifest, files: manifestFiles, updatedAt: new Date().toISOString() });
      }
    }
    emit({ type: 'download-done', model: id, revision: manifest.revision ?? 'unknown', bytes: totalBytes, ms: performance.now() - startedAt });
    return { id, directory, revision: manifest.revision ?? 'unknown', files: [...kept, ...fetched].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), downloadedBytes: totalBytes };
  }
}

/** `a`, or `a (or b, c)` for alternatives. */
export function describeRequiredFile(file: RequiredFile): string {
  return typeof file === 'string' ? file : `${file[0]}${file.length > 1 ? ` (or ${file.slice(1).join(', ')})` : ''}`;
}

/**
 * Which repository files a pull takes: the top-level JSON configs, then either exactly `files`
 * or every ONNX session in the asked dtypes, each with its external-data files. A file that is
 * asked for and absent is a `ModelNotFoundError` naming the dtypes the repository does publish.
 */
function selectFiles(id: string, directory: string, tree: readonly HubFile[], options: PullOptions): HubFile[] {
  const byPath = new Map(tree.map((file) => [file.path, file]));
  const paths = new Set<string>(tree.filter((file) => isTopLevelJson(file.path)).map((file) => file.path));
  const sessions = dtypesBySession(byPath.keys());
  const describeDtypes = (): string =>
    sessions.size === 0
      ? `the repository has no onnx/*.onnx files at all (it is not a transformers.js/ONNX export; look for an ONNX copy such as Xenova/… or onnx-community/…, or export one)`
      : `it publishes ${[...sessions].map(([session, list]) => `${session}: ${list.join(', ')}`).join('; ')}`;
  if (options.files !== undefined) {
    const missing: RequiredFile[] = [];
    for (const entry of options.files) {
      const found = (typeof entry === 'string' ? [entry] : entry).find((file) => byPath.has(file));
      if (found === undefined) missing.push(entry);
      else paths.add(found);
    }
    if (missing.length > 0) {
      throw new ModelNotFoundError({ model: id, searched: [directory], hint: `The hub repository lacks ${missing.map(describeRequiredFile).join(', ')}; ${describeDtypes()}.` });
    }
  } else {
    const wantedDtypes = options.dtype === undefined ? ['fp32'] : typeof options.dtype === 'string' ? [options.dtype] : [...options.dtype];
    for (const dtype of wantedDtypes) if (!isDtype(dtype)) throw new InvalidInputError({ reason: `unknown dtype ${String(dtype)} (one of ${allDtypes.join(', ')})` });
    let any = false;
    for (const file of tree) {
      const parsed = parseOnnxFile(file.path);
      if (parsed !== undefined && wantedDtypes.includes(parsed.dtype)) {
        paths.add(file.path);
        any = true;
      }
    }
    if (!any) throw new ModelNotFoundError({ model: id, searched: [directory], hint: `No ${wantedDtypes.join('/')} ONNX files in the hub repository; ${describeDtypes()}.` });
  }
  for (const path of [...paths]) if (path.endsWith('.onnx')) for (const data of externalDataOf(path, byPath.keys())) paths.add(data);
  return [...paths].sort().map((path) => byPath.get(path) as HubFile);
}

function selectManifestFiles(manifest: ModelManifest, options: PullOptions): [string, ManifestFile][] {
  const entries = Object.entries(manifest.files);
  if (options.files !== undefined) {
    const wanted = new Set(options.files.flatMap((entry) => (typeof entry === 'string' ? [entry] : entry.filter((file) => file in manifest.files).slice(0, 1))));
    for (const [path] of entries) if (isTopLevelJson(path)) wanted.add(path);
    return entries.filter(([path]) => wanted.has(path) || [...wanted].some((file) => file.endsWith('.onnx') && externalDataOf(file, [path]).length > 0));
  }
  if (options.dtype === undefined) return entries;
  const dtypeList: readonly Dtype[] = typeof options.dtype === 'string' ? [options.dtype] : options.dtype;
  return entries.filter(([path]) => {
    const parsed = parseOnnxFile(path.replace(/(\.onnx)(_data.*|\.data)$/, '$1'));
    return parsed === undefined ? isTopLevelJson(path) : dtypeList.includes(parsed.dtype);
  });
}

/** Checks files of a model folder against its manifest: sizes always, SHA-256 when `depth` is `hash`. */
export async function checkFiles(id: string, directory: string, manifest: ModelManifest, files: readonly string[], depth: 'size' | 'hash'): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  for (const file of files) {
    const expected = manifest.files[file];
    if (expected === undefined) continue;
    const path = fileInside(id, directory, file);
    const size = await fileSize(path);
    if (size === undefined) {
      problems.push({ file, problem: 'missing' });
      continue;
    }
    if (size !== expected.size) {
      problems.push({ file, problem: `size ${size}, expected ${expected.size} (truncated or replaced)` });
      continue;
    }
    if (depth === 'hash') {
      const sha256 = await sha256OfFile(path);
      if (sha256 !== expected.sha256) problems.push({ file, problem: `sha256 ${sha256}, expected ${expected.sha256} (corrupted)` });
    }
  }
  return problems;
}

export function integrityError(id: string, problems: readonly VerifyProblem[]): ModelIntegrityError {
  const first = problems[0] as VerifyProblem;
  return new ModelIntegrityError({
    model: id,
    file: first.file,
    expected: 'the bytes its manifest records',
    actual: first.problem,
    message: `model ${id}: ${problems.map((problem) => `${problem.file}: ${problem.problem}`).join('; ')}. Pull it again (accel models pull ${id}) or run accel models verify.`,
  });
}
