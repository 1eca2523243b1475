import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelNotFoundError, type DownloadProgressEvent } from '../src/index.js';
import { resolveModelSource } from '../src/model-source/resolve-model-source.js';

const files = ['config.json', 'onnx/model.onnx'];
let root: string;
let folder: string;
let server: Server;
let host: string;
const served: Record<string, string> = {
  '/owner/remote-model/resolve/main/config.json': '{"model_type":"bert"}',
  '/owner/remote-model/resolve/main/onnx/model.onnx': 'x'.repeat(100_000),
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'accel-source-'));
  folder = join(root, 'local-model');
  await mkdir(join(folder, 'onnx'), { recursive: true });
  await writeFile(join(folder, 'config.json'), '{}');
  await writeFile(join(folder, 'onnx', 'model.onnx'), '');
  await mkdir(join(root, 'cache', 'owner', 'cached-model', 'onnx'), { recursive: true });
  await writeFile(join(root, 'cache', 'owner', 'cached-model', 'config.json'), '{}');
  await writeFile(join(root, 'cache', 'owner', 'cached-model', 'onnx', 'model.onnx'), '');
  server = createServer((request, response) => {
    const body = served[request.url ?? ''];
    if (body === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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

  it('does not download unless allowed, and says where it looked and how to supply the model', async () => {
    const error = await rejection(resolveModelSource('owner/remote-model', files, { cacheDirectory: join(root, 'cache'), remoteHost: host, allowDownload: false }));
    expect(error.searched).toEqual([join(root, 'cache', 'owner', 'remote-model')]);
    expect(error.hint).toMatch(/allowDownload: true/);
    expect(error.hint).toMatch(/--download/);
  });

  it('downloads into the cache when allowed, with progress events', async () => {
    const events: DownloadProgressEvent[] = [];
    const resolved = await resolveModelSource('owner/remote-model', files, {
      cacheDirectory: join(root, 'cache'),
      remoteHost: host,
      allowDownload: true,
      onProgress: (event) => events.push(event),
    });
    expect(resolved.source).toBe('download');
    expect(await readFile(join(resolved.directory, 'onnx', 'model.onnx'), 'utf8')).toHaveLength(100_000);
    const last = events.filter((event) => event.file === 'onnx/model.onnx').at(-1);
    expect(last).toMatchObject({ type: 'download-progress', bytesReceived: 100_000, totalBytes: 100_000 });
    await expect(resolveModelSource('owner/remote-model', files, { cacheDirectory: join(root, 'cache') })).resolves.toMatchObject({ source: 'cache' });
  });

  it('reports a missing remote file and an unreachable hub as ModelNotFoundError', async () => {
    const missing = await rejection(
      resolveModelSource('owner/absent', files, { cacheDirectory: join(root, 'cache'), remoteHost: host, allowDownload: true }),
    );
    expect(missing.hint).toContain('404');
    const offline = await rejection(
      resolveModelSource('owner/absent', files, { cacheDirectory: join(root, 'cache'), remoteHost: 'http://127.0.0.1:9', allowDownload: true }),
    );
    expect(offline.hint).toMatch(/Download failed/);
    expect(offline.searched[0]).toBe(join(root, 'cache', 'owner', 'absent'));
  });
});
