import { startFakeHub, type FakeHub } from '@accel/fake-hub';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidInputError, ModelIntegrityError, ModelNotFoundError } from '../src/index.js';
import { resolveModelSource } from '../src/model-source/resolve-model-source.js';
import { ModelStore, modelStoreSettings } from '../src/model-store/index.js';

// Issue 13: the model store against a loopback hub that answers with huggingface.co's shapes.

const id = 'owner/tiny-encoder';
let scratch: string;
let repo: string;
let hub: FakeHub;

/** Deterministic bytes, so hashes are stable and a flipped byte is detectable. */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let index = 0; index < length; index += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[index] = state >>> 24;
  }
  return out;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1)).sort();
}

const repoFiles: Record<string, Buffer> = {
  'config.json': Buffer.from('{"model_type":"bert","hidden_size":8}'),
  'tokenizer.json': Buffer.from('{"model":{"type":"WordPiece"}}'),
  'README.md': Buffer.from('# not fetched: only JSON configs and the ONNX files asked for'),
  'onnx/model.onnx': bytes(600_000, 1),
  'onnx/model_quantized.onnx': bytes(200_000, 2),
  'onnx/model_fp16.onnx': bytes(1000, 3),
  'onnx/model_fp16.onnx_data': bytes(300_000, 4),
};

let cacheCount = 0;
function freshStore(options: ConstructorParameters<typeof ModelStore>[0] = {}): ModelStore {
  cacheCount += 1;
  return new ModelStore({ cacheDirectory: join(scratch, `cache-${cacheCount}`), remoteHost: hub.url, ...options });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'accel-store-'));
  repo = join(scratch, 'repo');
  for (const [path, content] of Object.entries(repoFiles)) {
    await mkdir(join(repo, path, '..'), { recursive: true });
    await writeFile(join(repo, path), content);
  }
  hub = await startFakeHub({ repos: { [id]: { directory: repo } } });
});

afterAll(async () => {
  await hub.close();
  await rm(scratch, { recursive: true, force: true });
});

afterEach(() => {
  hub.requests.length = 0;
  vi.unstubAllEnvs();
});

describe('pull', () => {
  it('fetches the JSON configs and the chosen dtype only, verified, and writes a manifest with SHA-256 and CIDv1 per file', async () => {
    const store = freshStore();
    const result = await store.pull(id);
    expect(result.revision).toBe(hub.commitOf(id));
    expect(result.files.map((file) => file.path)).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json']);
    expect(await filesUnder(result.directory)).toEqual(['accel-manifest.json', 'config.json', 'onnx/model.onnx', 'tokenizer.json']);
    const manifest = await store.manifestOf(id);
    expect(manifest).toMatchObject({ manifestVersion: 1, id, revision: hub.commitOf(id), requestedRevision: 'main', endpoint: hub.url });
    const model = manifest?.files['onnx/model.onnx'];
    expect(model).toMatchObject({ size: 600_000, sha256: sha256(repoFiles['onnx/model.onnx'] as Buffer), source: 'hub' });
    // 600 kB spans three 256 KiB chunks: a dag-pb root (bafy…), not a single raw leaf (bafk…).
    expect(model?.cid).toMatch(/^bafy[a-z2-7]{55}$/);
    expect(manifest?.files['config.json']?.cid).toMatch(/^bafk[a-z2-7]{55}$/);
    expect(manifest?.files['config.json']?.sha256).toBe(sha256(repoFiles['config.json'] as Buffer));
  });

  it('fetches external data with its ONNX file, and several dtypes at once', async () => {
    const store = freshStore();
    const result = await store.pull(id, { dtype: ['fp16', 'q8'] });
    expect(result.files.map((file) => file.path)).toEqual(['config.json', 'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data', 'onnx/model_quantized.onnx', 'tokenizer.json']);
    expect(sha256(await readFile(join(result.directory, 'onnx/model_fp16.onnx_data')))).toBe(sha256(repoFiles['onnx/model_fp16.onnx_data'] as Buffer));
  });

  it('reports a dtype the repository does not publish with the dtypes it does', async () => {
    const store = freshStore();
    const error = await caught(store.pull(id, { dtype: 'q4' }));
    expect(ModelNotFoundError.isInstance(error), String(error)).toBe(true);
    expect((error as ModelNotFoundError).hint).toContain('No q4 ONNX files');
    expect((error as ModelNotFoundError).hint).toContain('model: fp32, fp16, q8');
    const exact = await caught(store.pull(id, { files: ['config.json', 'onnx/model_q4.onnx'] }));
    expect((exact as ModelNotFoundError).hint).toMatch(/lacks onnx\/model_q4\.onnx; it publishes model: fp32, fp16, q8/);
  });

  it('fetches a revision asked for that the folder was not pulled at, and keeps the pinned one otherwise', async () => {
    const store = freshStore();
    const { revision } = await store.pull(id);
    const files = ['config.json', 'onnx/model.onnx'];
    const options = { cacheDirectory: store.settings.cacheDirectory, remoteHost: hub.url };
    hub.requests.length = 0;
    await expect(resolveModelSource(id, files, { ...options, revision })).resolves.toMatchObject({ source: 'cache', revision });
    await expect(resolveModelSource(id, files, { ...options, revision: 'main' })).resolves.toMatchObject({ source: 'cache' });
    expect(hub.requests).toEqual([]);
    const other = await caught(resolveModelSource(id, files, { ...options, revision: 'v2' }));
    expect((other as ModelNotFoundError).hint).toMatch(/no revision v2/);
  });

  it('takes the first alternative the repository has, for graphs exports name differently', async () => {
    const store = freshStore();
    const result = await store.pull(id, { files: ['config.json', ['onnx/decoder_model_merged.onnx', 'onnx/model_quantized.onnx']] });
    expect(result.files.map((file) => file.path)).toEqual(['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json']);
    const resolved = await resolveModelSource(id, [['onnx/decoder_model_merged.onnx', 'onnx/model_quantized.onnx']], { cacheDirectory: store.settings.cacheDirectory, offline: true });
    expect(resolved.source).toBe('cache');
    const none = await caught(store.pull(id, { files: [['onnx/a.onnx', 'onnx/b.onnx']] }));
    expect((none as ModelNotFoundError).hint).toMatch(/lacks onnx\/a\.onnx \(or onnx\/b\.onnx\)/);
  });

  it('resumes a file whose connection was cut at 50% with a Range request, and verifies the whole', async () => {
    const cutHub = await startFakeHub({ repos: { [id]: { directory: repo } }, faults: { cut: { file: 'onnx/model.onnx', atFraction: 0.5 } }, chunkBytes: 16_384 });
    try {
      const store = freshStore({ remoteHost: cutHub.url });
      const result = await store.pull(id);
      expect(sha256(await readFile(join(result.directory, 'onnx/model.onnx')))).toBe(sha256(repoFiles['onnx/model.onnx'] as Buffer));
      const gets = cutHub.requests.filter((request) => request.path.endsWith('/onnx/model.onnx'));
      // The first content request had no Range; the retry asked for the rest only.
      expect(gets[0]?.range).toBeUndefined();
      const resumed = gets.find((request) => request.range !== undefined);
      const from = Number(/^bytes=(\d+)-$/.exec(resumed?.range ?? '')?.[1]);
      expect(from).toBeGreaterThan(0);
      expect(from).toBeLessThanOrEqual(300_000);
      expect(await filesUnder(result.directory)).not.toContain('onnx/model.onnx.partial');
    } finally {
      await cutHub.close();
    }
  });

  it('resumes a partial file left by an earlier process', async () => {
    const store = freshStore();
    const directory = await store.directoryOf(id);
    await mkdir(join(directory, 'onnx'), { recursive: true });
    await writeFile(join(directory, 'onnx/model.onnx.partial'), (repoFiles['onnx/model.onnx'] as Buffer).subarray(0, 250_000));
    await store.pull(id);
    const content = hub.requests.filter((request) => request.path.includes('onnx/model.onnx'));
    expect(content.at(-1)?.range).toBe('bytes=250000-');
    expect(sha256(await readFile(join(directory, 'onnx/model.onnx')))).toBe(sha256(repoFiles['onnx/model.onnx'] as Buffer));
  });

  it('refuses a corrupted download: ModelIntegrityError naming the file, nothing left in place', async () => {
    const badHub = await startFakeHub({ repos: { [id]: { directory: repo } }, faults: { corrupt: { file: 'onnx/model.onnx' } } });
    try {
      const store = freshStore({ remoteHost: badHub.url });
      const error = await caught(store.pull(id));
      expect(ModelIntegrityError.isInstance(error), String(error)).toBe(true);
      expect(error).toMatchObject({ code: 'ACCEL_MODEL_INTEGRITY', file: 'onnx/model.onnx', expected: `sha256 ${badHub.sha256Of(id, 'onnx/model.onnx')}` });
      const files = await filesUnder(await store.directoryOf(id));
      expect(files.filter((file) => file.startsWith('onnx/'))).toEqual([]);
      // What did verify is kept and recorded, so the next try fetches only the bad file.
      expect(files).toContain('config.json');
    } finally {
      await badHub.close();
    }
  });

  it('does not touch the network when offline, by option or by ACCEL_OFFLINE / HF_HUB_OFFLINE', async () => {
    const error = await caught(freshStore({ offline: true }).pull(id));
    expect(ModelNotFoundError.isInstance(error), String(error)).toBe(true);
    expect((error as ModelNotFoundError).hint).toMatch(/offline/);
    vi.stubEnv('HF_HUB_OFFLINE', '1');
    await expect(freshStore().pull(id)).rejects.toMatchObject({ code: 'ACCEL_MODEL_NOT_FOUND' });
    vi.stubEnv('HF_HUB_OFFLINE', '0');
    vi.stubEnv('ACCEL_OFFLINE', 'true');
    await expect(freshStore().pull(id)).rejects.toMatchObject({ code: 'ACCEL_MODEL_NOT_FOUND' });
    expect(hub.requests).toEqual([]);
    expect(modelStoreSettings({ offline: false }, { ACCEL_OFFLINE: '1' }).offline).toBe(false);
  });

  it('honours HF_ENDPOINT (after ACCEL_REMOTE_HOST) and HF_TOKEN', async () => {
    expect(modelStoreSettings({}, { HF_ENDPOINT: 'http://mirror.example/' }).endpoint).toBe('http://mirror.example');
    expect(modelStoreSettings({}, { HF_ENDPOINT: 'http://a', ACCEL_REMOTE_HOST: 'http://b' }).endpoint).toBe('http://b');
    expect(modelStoreSettings({}, {}).endpoint).toBe('https://huggingface.co');
    const gated = await startFakeHub({ repos: { [id]: { directory: repo } }, token: 'hf_secret' });
    try {
      vi.stubEnv('HF_ENDPOINT', gated.url);
      cacheCount += 1;
      const store = new ModelStore({ cacheDirectory: join(scratch, `cache-${cacheCount}`) });
      const refused = await caught(store.pull(id));
      expect((refused as ModelNotFoundError).hint).toMatch(/HF_TOKEN/);
      vi.stubEnv('HF_TOKEN', 'hf_secret');
      await expect(store.pull(id)).resolves.toMatchObject({ revision: gated.commitOf(id) });
      expect(gated.requests.at(-1)?.authorization).toBe('Bearer hf_secret');
    } finally {
      await gated.close();
    }
  });

  it('refuses ids and cache paths that would leave the cache folder', async () => {
    const store = freshStore();
    for (const bad of ['../evil', 'owner/..', '/etc/passwd', 'a/b/c', 'owner/.hidden']) {
      const error = await caught(store.pull(bad));
      expect(InvalidInputError.isInstance(error), `${bad}: ${String(error)}`).toBe(true);
    }
    const linked = freshStore();
    const cache = linked.settings.cacheDirectory;
    await mkdir(cache, { recursive: true });
    await symlink(scratch, join(cache, 'owner'));
    await expect(linked.pull(id)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT', message: expect.stringMatching(/symbolic link/) });
    await expect(linked.remove(id)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT' });
    expect(await filesUnder(join(scratch, 'repo'))).toContain('onnx/model.onnx');
  });

  it('serializes concurrent pulls of one model in a process: each file is fetched once', async () => {
    const store = freshStore();
    const [a, b] = await Promise.all([store.pull(id), store.pull(id)]);
    expect(b.files.map((file) => file.path)).toEqual(a.files.map((file) => file.path));
    expect(b.files.every((file) => file.source === 'cache')).toBe(true);
    const content = hub.requests.filter((request) => request.path.startsWith('/cdn/') && request.path.endsWith('/onnx/model.onnx'));
    expect(content).toHaveLength(1);
  });

  it('waits for another process holding the folder lock, and takes over a lock left by a dead one', async () => {
    const store = freshStore();
    const directory = await store.directoryOf(id);
    await mkdir(join(directory, '..'), { recursive: true });
    await writeFile(`${directory}.lock`, '99999\n');
    const events: string[] = [];
    const pulling = store.pull(id, { onProgress: (event) => events.push(event.type) });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events).toEqual(['download-wait']);
    await rm(`${directory}.lock`);
    await pulling;
    expect(events.at(-1)).toBe('download-done');
    await expect(readdir(join(directory, '..'))).resolves.not.toContain('tiny-encoder.lock');
    // A lock nobody refreshed for over 30 s is stale.
    await writeFile(`${directory}.lock`, '99999\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${directory}.lock`, old, old);
    await expect(store.pull(id)).resolves.toMatchObject({ id });
  });

  it('stays on the recorded commit when an endpoint needs another file later', async () => {
    const store = freshStore();
    const first = await store.pull(id);
    hub.requests.length = 0;
    const resolved = await resolveModelSource(id, ['config.json', 'onnx/model_quantized.onnx'], { cacheDirectory: store.settings.cacheDirectory, remoteHost: hub.url });
    expect(resolved).toMatchObject({ source: 'download', revision: first.revision });
    expect(hub.requests.some((request) => request.path.includes('/revision/'))).toBe(false);
    expect(hub.requests.some((request) => request.path.includes(`/tree/${first.revision}`))).toBe(true);
    expect(Object.keys((await store.manifestOf(id))?.files ?? {})).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json']);
  });
});

describe('ls, rm, verify, and checks on load', () => {
  it('lists a stored model with its commit, dtypes, size and verification time; removes it', async () => {
    const store = freshStore();
    await store.pull(id, { dtype: ['fp32', 'q8'] });
    const [listed] = await store.list();
    expect(listed).toMatchObject({ id, revision: hub.commitOf(id), dtypes: ['fp32', 'q8'], files: 4, verifiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(listed?.bytes).toBe(['config.json', 'tokenizer.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'].reduce((sum, path) => sum + (repoFiles[path] as Buffer).byteLength, 0));
    expect(await store.remove(id)).toBe(true);
    expect(await store.list()).toEqual([]);
    expect(await store.remove(id)).toBe(false);
  });

  it('verify re-hashes every file and names a flipped byte', async () => {
    const store = freshStore();
    const { directory } = await store.pull(id);
    expect(await store.verify(id)).toEqual([{ id, directory, files: 3, ok: true, problems: [] }]);
    const path = join(directory, 'onnx/model.onnx');
    const content = await readFile(path);
    content[1234] = (content[1234] ?? 0) ^ 1;
    await writeFile(path, content);
    const [report] = await store.verify();
    expect(report).toMatchObject({ id, ok: false, problems: [{ file: 'onnx/model.onnx', problem: expect.stringMatching(/^sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \(corrupted\)$/) }] });
    // A pull re-hashes what it keeps, so it fetches the damaged file again.
    const repaired = await store.pull(id);
    expect(repaired.files.filter((file) => file.source === 'hub').map((file) => file.path)).toEqual(['onnx/model.onnx']);
    expect((await store.verify(id))[0]?.ok).toBe(true);
  });

  it('a load checks sizes always and hashes with verify: true, naming the file', async () => {
    const store = freshStore();
    const { directory } = await store.pull(id);
    const files = ['config.json', 'tokenizer.json', 'onnx/model.onnx'];
    const options = { cacheDirectory: store.settings.cacheDirectory, offline: true };
    await expect(resolveModelSource(id, files, options, undefined, true)).resolves.toMatchObject({ source: 'cache', revision: hub.commitOf(id) });
    const path = join(directory, 'onnx/model.onnx');
    const content = await readFile(path);
    content[99] = (content[99] ?? 0) ^ 1;
    await writeFile(path, content);
    await expect(resolveModelSource(id, files, options)).resolves.toMatchObject({ source: 'cache' });
    const corrupted = await caught(resolveModelSource(id, files, options, undefined, true));
    expect(corrupted).toMatchObject({ code: 'ACCEL_MODEL_INTEGRITY', file: 'onnx/model.onnx', actual: expect.stringMatching(/corrupted/) });
    await truncate(path, 1000);
    const truncated = await caught(resolveModelSource(id, files, options));
    expect(truncated).toMatchObject({ code: 'ACCEL_MODEL_INTEGRITY', file: 'onnx/model.onnx', actual: 'size 1000, expected 600000 (truncated or replaced)' });
  });
});
