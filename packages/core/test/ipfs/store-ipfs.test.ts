import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCar, startFakeGateway, startFakeHub, subDagCars, type FakeGateway, type FakeHub } from '@accel/fake-hub';
import { CarReader } from '@ipld/car/reader';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelIntegrityError } from '../../src/errors/model-integrity-error.js';
import type { ModelStoreEvent } from '../../src/model-source/model-source-options.js';
import { ModelStore } from '../../src/model-store/index.js';
import type { ModelManifest } from '../../src/model-store/manifest.js';
import { unixfsCid } from '../../src/model-store/ipfs/unixfs-cid.js';
import { deterministicBytes } from './helpers.js';

// The store's IPFS path end to end: a model pulled from the hub is exported as a CAR, a gateway
// holding that CAR serves its files, and another store pulls them by the manifest's CIDs.

const id = 'owner/ipfs-model';
const repoFiles: Record<string, Uint8Array> = {
  'config.json': new TextEncoder().encode('{"model_type":"bert","hidden_size":8}'),
  'tokenizer.json': new TextEncoder().encode('{"model":{"type":"WordPiece"}}'),
  'onnx/model.onnx': deterministicBytes(700_000, 21),
};
let scratch: string;
let hub: FakeHub;
let carPath: string;
let exported: { root: string; files: Record<string, string> };
let serve: (cid: string) => Uint8Array | undefined;
let manifest: ModelManifest;
const closers: (() => Promise<void>)[] = [];
let stores = 0;

function store(gateway?: FakeGateway): ModelStore {
  stores += 1;
  return new ModelStore({ cacheDirectory: join(scratch, `cache-${stores}`), remoteHost: hub.url, ...(gateway ? { ipfsGateway: gateway.url } : {}) });
}

async function gateway(options: Parameters<typeof startFakeGateway>[0]): Promise<FakeGateway> {
  const started = await startFakeGateway(options);
  closers.push(() => started.close());
  return started;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'accel-store-ipfs-'));
  const repo = join(scratch, 'repo');
  for (const [path, content] of Object.entries(repoFiles)) {
    await mkdir(join(repo, path, '..'), { recursive: true });
    await writeFile(join(repo, path), content);
  }
  hub = await startFakeHub({ repos: { [id]: { directory: repo } } });
  closers.push(() => hub.close());
  const origin = store();
  await origin.pull(id);
  carPath = join(scratch, 'model.car');
  exported = await origin.exportCar(id, carPath);
  serve = await subDagCars(await readFile(carPath));
  const recorded = await origin.manifestOf(id);
  if (recorded === undefined) throw new Error('the hub pull wrote no manifest');
  manifest = recorded;
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await rm(scratch, { recursive: true, force: true });
});

describe('ModelStore and IPFS', () => {
  it('records each file\'s CIDv1 in the manifest and exports a CAR whose files carry those CIDs', async () => {
    expect(Object.keys(exported.files).sort()).toEqual(Object.keys(repoFiles).sort());
    for (const path of Object.keys(repoFiles)) {
      expect(manifest.files[path]?.cid).toBe(exported.files[path]);
      expect(exported.files[path]).toBe(await unixfsCid(join(scratch, 'repo', path)));
    }
    expect((await (await CarReader.fromBytes(await readFile(carPath))).getRoots()).map(String)).toEqual([exported.root]);
  });

  it('pulls every file from the gateway by the manifest\'s CIDs, with no file bytes from the hub', async () => {
    const fake = await gateway({ cars: serve, contentType: 'application/vnd.ipld.car; version=1; order=dfs; dups=y' });
    hub.requests.length = 0;
    const target = store(fake);
    const result = await target.pull(id, { from: 'ipfs', manifest });
    expect(result.files.map((file) => [file.path, file.source])).toEqual(Object.keys(repoFiles).sort().map((path) => [path, 'ipfs']));
    for (const [path, content] of Object.entries(repoFiles)) expect(Buffer.from(await readFile(join(result.directory, path))).equals(Buffer.from(content))).toBe(true);
    expect(hub.requests).toEqual([]);
    expect(fake.requests.map((request) => request.path.split('?')[0]).sort()).toEqual(Object.keys(repoFiles).map((path) => `/ipfs/${exported.files[path]}`).sort());
    expect((await target.manifestOf(id))?.files['onnx/model.onnx']?.source).toBe('ipfs');
  });

  it('falls back to the hub, per file, for what the gateway lacks, saying why', async () => {
    const lacking = exported.files['onnx/model.onnx'];
    const fake = await gateway({ cars: (cid) => (cid === lacking ? undefined : serve(cid)) });
    const events: ModelStoreEvent[] = [];
    const result = await store(fake).pull(id, { from: 'ipfs', manifest, onProgress: (event) => events.push(event) });
    expect(Object.fromEntries(result.files.map((file) => [file.path, file.source]))).toEqual({ 'config.json': 'ipfs', 'tokenizer.json': 'ipfs', 'onnx/model.onnx': 'hub' });
    expect(events.filter((event) => event.type === 'download-fallback')).toEqual([{ type: 'download-fallback', model: id, file: 'onnx/model.onnx', from: 'ipfs', to: 'hub', reason: 'HTTP 404 Not Found' }]);
    expect(Buffer.from(await readFile(join(result.directory, 'onnx/model.onnx'))).equals(Buffer.from(repoFiles['onnx/model.onnx'] ?? []))).toBe(true);
  });

  it('fails the pull with ModelIntegrityError when the gateway sends a block that does not hash to its CID', async () => {
    const path = 'onnx/model.onnx';
    const cid = exported.files[path] ?? '';
    const blocks: { cid: CID; bytes: Uint8Array }[] = [];
    for await (const block of (await CarReader.fromBytes(serve(cid) ?? new Uint8Array())).blocks()) blocks.push(block);
    const leaf = blocks.findIndex((block) => block.cid.code === raw.code);
    const original = blocks[leaf];
    if (original === undefined) throw new Error('no leaf');
    const bytes = Uint8Array.from(original.bytes);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    blocks[leaf] = { cid: original.cid, bytes };
    const fake = await gateway({ cars: (asked) => (asked === cid ? encodeCar(CID.parse(cid), blocks) : serve(asked)) });
    const target = store(fake);
    const error = await target.pull(id, { from: 'ipfs', manifest }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ModelIntegrityError.isInstance(error)).toBe(true);
    expect((error as ModelIntegrityError).file).toBe(path);
    expect((error as ModelIntegrityError).expected).toBe(`block ${original.cid}`);
  });
});
