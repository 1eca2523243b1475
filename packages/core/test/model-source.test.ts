import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { startFakeHub, type FakeHub } from '@accel/fake-hub';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelNotFoundError, type ModelStoreEvent } from '../src/index.js';
import { resolveModelSource } from '../src/model-source/resolve-model-source.js';

const files = ['config.json', 'onnx/model.onnx'];
let root: string;
let folder: string;
let hub: FakeHub;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'accel-source-'));
  folder = join(root, 'local-model');
  await mkdir(join(folder, 'onnx'), { recursive: true });
  await writeFile(join(folder, 'config.json'), '{}');
  await writeFile(join(folder, 'onnx', 'model.onnx'), '');
  await mkdir(join(root, 'cache', 'owner', 'cached-model', 'onnx'), { recursive: true });
  await writeFile(join(root, 'cache', 'owner', 'cached-model', 'config.json'), '{}');
  await writeFile(join(root, 'cache', 'owner', 'cached-model', 'onnx', 'model.onnx'), '');
  const repo = join(root, 'hub-remote-model');
  await mkdir(join(repo, 'onnx'), { recursive: true });
  await writeFile(join(repo, 'config.json'), '{"model_type":"bert"}');
  await writeFile(join(repo, 'onnx', 'model.onnx'), 'x'.repeat(100_000));
  hub = await startFakeHub({ repos: { 'owner/remote-model': { directory: repo } } });
});

afterAll(() => hub.close());

async function rejection(promise: Promise<unknown>): Promise<ModelNotFoundError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ModelNotFoundError.isInstance(error), String(error)).toBe(true);
  return error as ModelNotFoundError;
}

describe('resolveModelSource', () => {
  it('takes a local folder as it is', async () => {
    await expect(resolveModelSource(folder, files)).resolves.toEqual({ id: 'local-model', directory: folder, source: 'folder' });
  });

  it('names what a local folder lacks', async () => {
    const error = await rejection(resolveModelSource(folder, [...files, 'tokenizer.json']));
    expect(error.searched).toEqual([folder]);
    expect(error.hint).toContain('tokenizer.json');
  });

  it('names a folder that does not exist', async () => {
    const error = await rejection(resolveModelSource(join(root, 'nowhere'), files));
    expect(error.message).toContain(join(root, 'nowhere'));
  });

  it('finds a hub id under the cache folder', async () => {
    const resolved = await resolveModelSource('owner/cached-model', files, { cacheDirectory: join(root, 'cache') });
    expect(resolved).toEqual({ id: 'owner/cached-model', directory: join(root, 'cache', 'owner', 'cached-model'), source: 'cache' });
  });

  it('does not download when offline, and says where it looked and how to supply the model', async () => {
    const error = await rejection(resolveModelSource('owner/remote-model', files, { cacheDirectory: join(root, 'cache'), remoteHost: hub.url, offline: true }));
    expect(error.searched).toEqual([join(root, 'cache', 'owner', 'remote-model')]);
    expect(error.hint).toMatch(/offline/);
    expect(error.hint).toMatch(/accel models pull owner\/remote-model/);
    expect(hub.requests).toEqual([]);
  });

  it('downloads into the cache by default, pinned to a commit, with progress events', async () => {
    const events: ModelStoreEvent[] = [];
    const resolved = await resolveModelSource('owner/remote-model', files, {
      cacheDirectory: join(root, 'cache'),
      remoteHost: hub.url,
      onProgress: (event) => events.push(event),
    });
    expect(resolved).toMatchObject({ source: 'download', revision: hub.commitOf('owner/remote-model') });
    expect(await readFile(join(resolved.directory, 'onnx', 'model.onnx'), 'utf8')).toHaveLength(100_000);
    expect(events[0]).toMatchObject({ type: 'download-start', totalBytes: expect.any(Number) });
    const last = events.filter((event) => event.type === 'download-progress' && event.file === 'onnx/model.onnx').at(-1);
    expect(last).toMatchObject({ type: 'download-progress', bytesReceived: 100_000, totalBytes: 100_000 });
    await expect(resolveModelSource('owner/remote-model', files, { cacheDirectory: join(root, 'cache') })).resolves.toMatchObject({ source: 'cache' });
  });

  it('reports a missing repository and an unreachable hub as ModelNotFoundError', async () => {
    const missing = await rejection(resolveModelSource('owner/absent', files, { cacheDirectory: join(root, 'cache'), remoteHost: hub.url }));
    expect(missing.hint).toMatch(/401: no public repository owner\/absent/);
    const unreachable = await rejection(resolveModelSource('owner/absent', files, { cacheDirectory: join(root, 'cache'), remoteHost: 'http://127.0.0.1:9' }));
    expect(unreachable.hint).toMatch(/could not be reached/);
  });
});
