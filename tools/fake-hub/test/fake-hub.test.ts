import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../src/index.js';

// The fake hub must answer with huggingface.co's shapes, or tests against it prove nothing.

let folder = '';
let hub: FakeHub;
const weights = Buffer.alloc(200_000, 7);
const config = Buffer.from('{"model_type":"bert"}');

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'fake-hub-'));
  await mkdir(join(folder, 'onnx'));
  await writeFile(join(folder, 'config.json'), config);
  await writeFile(join(folder, 'onnx', 'model.onnx'), weights);
  hub = await startFakeHub({ repos: { 'owner/name': { directory: folder } } });
});

afterAll(async () => {
  await hub.close();
  await rm(folder, { recursive: true, force: true });
});

describe('startFakeHub', () => {
  it('resolves a revision to a 40-hex commit and lists siblings', async () => {
    const body = (await (await fetch(`${hub.url}/api/models/owner/name/revision/main`)).json()) as { sha: string; siblings: { rfilename: string }[] };
    expect(body.sha).toBe(hub.commitOf('owner/name'));
    expect(body.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(body.siblings.map((sibling) => sibling.rfilename).sort()).toEqual(['config.json', 'onnx/model.onnx']);
  });

  it('lists the tree with git oids, sizes, and lfs.oid = SHA-256 for LFS files; only the top level without recursive', async () => {
    const tree = (await (await fetch(`${hub.url}/api/models/owner/name/tree/main?recursive=true`)).json()) as { type: string; path: string; size: number; oid: string; lfs?: { oid: string; size: number } }[];
    const model = tree.find((entry) => entry.path === 'onnx/model.onnx');
    expect(model).toMatchObject({ type: 'file', size: 200_000, lfs: { oid: createHash('sha256').update(weights).digest('hex'), size: 200_000 } });
    const small = tree.find((entry) => entry.path === 'config.json');
    expect(small?.lfs).toBeUndefined();
    expect(small?.oid).toBe(createHash('sha1').update(Buffer.concat([Buffer.from(`blob ${config.byteLength}\0`), config])).digest('hex'));
    const top = (await (await fetch(`${hub.url}/api/models/owner/name/tree/main`)).json()) as { type: string; path: string }[];
    expect(top.map((entry) => `${entry.type}:${entry.path}`).sort()).toEqual(['directory:onnx', 'file:config.json']);
  });

  it('redirects an LFS file with X-Linked-Etag and X-Repo-Commit, and serves Range requests with 206', async () => {
    const head = await fetch(`${hub.url}/owner/name/resolve/main/onnx/model.onnx`, { redirect: 'manual' });
    expect(head.status).toBe(302);
    expect(head.headers.get('x-linked-etag')).toBe(`"${hub.sha256Of('owner/name', 'onnx/model.onnx')}"`);
    expect(head.headers.get('x-repo-commit')).toBe(hub.commitOf('owner/name'));
    expect(head.headers.get('x-linked-size')).toBe('200000');
    const ranged = await fetch(`${hub.url}/owner/name/resolve/main/onnx/model.onnx`, { headers: { range: 'bytes=150000-' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 150000-199999/200000');
    expect((await ranged.arrayBuffer()).byteLength).toBe(50_000);
  });

  it('answers 401 for an unknown repository and 404 for an unknown file or revision, with the hub error headers', async () => {
    const unknown = await fetch(`${hub.url}/api/models/nobody/nothing/revision/main`);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('x-error-code')).toBe('RepoNotFound');
    const file = await fetch(`${hub.url}/owner/name/resolve/main/onnx/missing.onnx`);
    expect([file.status, file.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound']);
    const revision = await fetch(`${hub.url}/api/models/owner/name/revision/v9`);
    expect([revision.status, revision.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
  });
});
