import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCar, startFakeGateway, subDagCars, type FakeGateway } from '@accel/fake-hub';
import { CarReader } from '@ipld/car/reader';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/errors/aborted-error.js';
import { ModelIntegrityError } from '../../src/errors/model-integrity-error.js';
import { writeModelCar, type ModelCar } from '../../src/model-store/ipfs/car-export.js';
import { fetchFromGateway, GatewayUnavailableError, type FetchFromGatewayOptions } from '../../src/model-store/ipfs/gateway-source.js';
import { deterministicBytes, writeFiles } from './helpers.js';

const chunk = 262_144;
const model = 'test/forged-like';
const files: Record<string, Uint8Array> = {
  'config.json': new TextEncoder().encode(JSON.stringify({ model_type: 'bert', hidden_size: 32 })),
  'tokenizer.json': deterministicBytes(300 * 1024, 7),
  'onnx/model.onnx': deterministicBytes(2 * 1024 * 1024 + 123, 11),
  // Repeated chunks: one raw leaf linked three times.
  'onnx/model.onnx_data': new Uint8Array(3 * chunk + 1000),
  'empty.txt': new Uint8Array(0),
};
const dfs = 'application/vnd.ipld.car; version=1; order=dfs; dups=y';

type Block = { cid: CID; bytes: Uint8Array };

let directory: string;
let car: ModelCar;
let serve: (cid: string) => Uint8Array | undefined;
const gateways: FakeGateway[] = [];

async function gateway(options: Parameters<typeof startFakeGateway>[0]): Promise<FakeGateway> {
  const started = await startFakeGateway(options);
  gateways.push(started);
  return started;
}

/** The blocks of a served CAR, in the order served. */
async function blocksOf(bytes: Uint8Array): Promise<Block[]> {
  const reader = await CarReader.fromBytes(bytes);
  const blocks: Block[] = [];
  for await (const block of reader.blocks()) blocks.push(block);
  return blocks;
}

function cidOf(path: string): string {
  const cid = car.files[path];
  if (cid === undefined) throw new Error(`no CID for ${path}`);
  return cid;
}

function target(name: string): string {
  return join(directory, 'out', name);
}

function request(path: string, url: string, extra: Partial<FetchFromGatewayOptions> = {}): FetchFromGatewayOptions {
  return { gateway: url, cid: cidOf(path), model, file: path, target: target(path), expectedSize: files[path]?.byteLength ?? -1, ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function leftovers(path: string): Promise<string[]> {
  const folder = join(target(path), '..');
  if (!existsSync(folder)) return [];
  const name = target(path).slice(folder.length + 1);
  return (await readdir(folder)).filter((entry) => entry.startsWith(name));
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'accel-gateway-'));
  await writeFiles(join(directory, 'model'), files);
  const output = join(directory, 'model.car');
  car = await writeModelCar({ directory: join(directory, 'model'), files: Object.keys(files), output });
  serve = await subDagCars(await readFile(output));
});
afterAll(async () => {
  await Promise.all(gateways.map((started) => started.close()));
  await rm(directory, { recursive: true, force: true });
});

describe('fetchFromGateway', () => {
  it('fetches every file of an exported model from depth-first CARs, verified, byte for byte', async () => {
    const fake = await gateway({ cars: serve, contentType: dfs });
    for (const [path, bytes] of Object.entries(files)) {
      const seen: number[] = [];
      await fetchFromGateway(request(path, fake.url, { onBytes: (count) => seen.push(count) }));
      expect(Buffer.from(await readFile(target(path))).equals(Buffer.from(bytes))).toBe(true);
      expect(await leftovers(path)).toEqual([path.split('/').pop()]);
      expect(seen.at(-1) ?? 0).toBe(bytes.byteLength);
    }
    expect(fake.requests).toHaveLength(Object.keys(files).length);
    for (const seen of fake.requests) {
      expect(seen.path).toMatch(/^\/ipfs\/baf[a-z2-7]+\?format=car&dag-scope=all$/);
      expect(seen.accept).toBe(dfs);
    }
    await rm(join(directory, 'out'), { recursive: true });
  });

  it('assembles a file from a CAR in another order (leaves first), holding early blocks until linked', async () => {
    const path = 'onnx/model.onnx';
    const reversed = (await blocksOf(serve(cidOf(path)) ?? new Uint8Array())).reverse();
    expect(reversed.length).toBeGreaterThan(5);
    const fake = await gateway({ cars: new Map([[cidOf(path), encodeCar(CID.parse(cidOf(path)), reversed)]]) });
    await fetchFromGateway(request(path, fake.url));
    expect(Buffer.from(await readFile(target(path))).equals(Buffer.from(files[path] ?? []))).toBe(true);
    await rm(join(directory, 'out'), { recursive: true });
  });

  it('fills repeated chunks from one copy when the CAR carries each block once (dups=n)', async () => {
    const path = 'onnx/model.onnx_data';
    const blocks = await blocksOf(serve(cidOf(path)) ?? new Uint8Array());
    const once = blocks.filter((block, index) => blocks.findIndex((other) => other.cid.equals(block.cid)) === index);
    expect(once.length).toBeLessThan(blocks.length);
    const fake = await gateway({ cars: new Map([[cidOf(path), encodeCar(CID.parse(cidOf(path)), once)]]), contentType: 'application/vnd.ipld.car; version=1; order=dfs; dups=n' });
    await fetchFromGateway(request(path, fake.url));
    expect(Buffer.from(await readFile(target(path))).equals(Buffer.from(files[path] ?? []))).toBe(true);
    await rm(join(directory, 'out'), { recursive: true });
  });

  it('rejects a CAR with one tampered leaf (same CID, one byte flipped): ModelIntegrityError naming the file and block, nothing left on disk', async () => {
    const path = 'onnx/model.onnx';
    const blocks = await blocksOf(serve(cidOf(path)) ?? new Uint8Array());
    const victim = blocks.findIndex((block, index) => index > 2 && block.cid.code === raw.code);
    const original = blocks[victim];
    if (original === undefined) throw new Error('no leaf to tamper with');
    const bytes = Uint8Array.from(original.bytes);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    blocks[victim] = { cid: original.cid, bytes };
    const fake = await gateway({ cars: new Map([[cidOf(path), encodeCar(CID.parse(cidOf(path)), blocks)]]), contentType: dfs });

    const error = await rejection(fetchFromGateway(request(path, fake.url)));
    expect(ModelIntegrityError.isInstance(error)).toBe(true);
    if (!ModelIntegrityError.isInstance(error)) return;
    expect(error.model).toBe(model);
    expect(error.file).toBe(path);
    expect(error.expected).toBe(`block ${original.cid}`);
    expect(error.actual).toBe(`sha2-256 ${Buffer.from((await sha256.digest(bytes)).digest).toString('hex')}`);
    expect(error.message).toContain(original.cid.toString());
    expect(existsSync(target(path))).toBe(false);
    expect(await leftovers(path)).toEqual([]);
  });

  it('treats a CAR that lacks a block as the gateway failing (GatewayUnavailableError), nothing left on disk', async () => {
    const path = 'tokenizer.json';
    const blocks = await blocksOf(serve(cidOf(path)) ?? new Uint8Array());
    expect(blocks).toHaveLength(3); // the node and two leaves
    const dropped = blocks[2];
    const fake = await gateway({ cars: new Map([[cidOf(path), encodeCar(CID.parse(cidOf(path)), blocks.slice(0, 2))]]), contentType: dfs });
    const error = await rejection(fetchFromGateway(request(path, fake.url)));
    expect(error).toBeInstanceOf(GatewayUnavailableError);
    expect((error as GatewayUnavailableError).reason).toContain(`CAR lacks block ${dropped?.cid}`);
    expect((error as GatewayUnavailableError).cid).toBe(cidOf(path));
    expect(await leftovers(path)).toEqual([]);
  });

  it('refuses blocks not reachable from the requested root', async () => {
    const path = 'tokenizer.json';
    const blocks = await blocksOf(serve(cidOf(path)) ?? new Uint8Array());
    const stranger = { cid: CID.createV1(raw.code, await sha256.digest(Uint8Array.of(1, 2, 3))), bytes: Uint8Array.of(1, 2, 3) };
    const inFront = encodeCar(CID.parse(cidOf(path)), [stranger, ...blocks]);
    const atEnd = encodeCar(CID.parse(cidOf(path)), [...blocks, stranger]);
    // Declared depth-first: a block before anything links it is refused at once.
    const strict = await gateway({ cars: new Map([[cidOf(path), inFront]]), contentType: dfs });
    const first = await rejection(fetchFromGateway(request(path, strict.url)));
    expect(first).toBeInstanceOf(GatewayUnavailableError);
    expect((first as GatewayUnavailableError).reason).toContain(`block ${stranger.cid} is not reachable from the requested root`);
    // Order unknown: held until the end, then refused.
    const loose = await gateway({ cars: new Map([[cidOf(path), atEnd]]) });
    const second = await rejection(fetchFromGateway(request(path, loose.url)));
    expect(second).toBeInstanceOf(GatewayUnavailableError);
    expect((second as GatewayUnavailableError).reason).toContain(`not reachable from the requested root, e.g. ${stranger.cid}`);
    expect(await leftovers(path)).toEqual([]);
  });

  it('reports 404, an unreachable gateway, and a non-CAR answer as GatewayUnavailableError', async () => {
    const fake = await gateway({ cars: new Map() });
    const missing = await rejection(fetchFromGateway(request('config.json', fake.url)));
    expect(missing).toBeInstanceOf(GatewayUnavailableError);
    expect((missing as GatewayUnavailableError).reason).toBe('HTTP 404 Not Found');
    expect((missing as GatewayUnavailableError).gateway).toBe(fake.url);

    const closed = await startFakeGateway({ cars: new Map() });
    await closed.close();
    const unreachable = await rejection(fetchFromGateway(request('config.json', closed.url)));
    expect(unreachable).toBeInstanceOf(GatewayUnavailableError);
    expect((unreachable as GatewayUnavailableError).reason).toMatch(/^unreachable: fetch failed/);

    const html: typeof fetch = async () => new Response('<html>hello</html>', { headers: { 'content-type': 'text/html' } });
    const wrongType = await rejection(fetchFromGateway(request('config.json', 'https://gateway.invalid', { fetch: html })));
    expect(wrongType).toBeInstanceOf(GatewayUnavailableError);
    expect((wrongType as GatewayUnavailableError).reason).toBe('answered text/html, not a CAR');
    expect(await leftovers('config.json')).toEqual([]);
  });

  it('rejects a DAG whose size differs from the manifest, or a CID that names a directory', async () => {
    const fake = await gateway({ cars: serve, contentType: dfs });
    const size = await rejection(fetchFromGateway(request('onnx/model.onnx', fake.url, { expectedSize: (files['onnx/model.onnx']?.byteLength ?? 0) - 1 })));
    expect(ModelIntegrityError.isInstance(size)).toBe(true);
    expect((size as ModelIntegrityError).file).toBe('onnx/model.onnx');
    const folder = await rejection(fetchFromGateway(request('config.json', fake.url, { cid: car.root })));
    expect(ModelIntegrityError.isInstance(folder)).toBe(true);
    expect((folder as ModelIntegrityError).actual).toBe('a UnixFS directory node');
    expect(await leftovers('onnx/model.onnx')).toEqual([]);
    expect(await leftovers('config.json')).toEqual([]);
  });

  it('gives up on a gateway that stops sending (idle timeout) as GatewayUnavailableError', async () => {
    const path = 'onnx/model.onnx';
    const fake = await gateway({ cars: serve, contentType: dfs, chunkBytes: 64 * 1024, delayMs: 400 });
    const error = await rejection(fetchFromGateway(request(path, fake.url, { idleTimeoutMs: 150 })));
    expect(error).toBeInstanceOf(GatewayUnavailableError);
    expect((error as GatewayUnavailableError).reason).toBe('stalled: no data for 150 ms');
    expect(await leftovers(path)).toEqual([]);
  });

  it('honours an abort signal, before and during the transfer, and leaves no partial file', async () => {
    const path = 'onnx/model.onnx';
    const fake = await gateway({ cars: serve, contentType: dfs, chunkBytes: 16 * 1024, delayMs: 20 });
    const before = new AbortController();
    before.abort();
    const early = await rejection(fetchFromGateway(request(path, fake.url, { signal: before.signal })));
    expect(AbortedError.isInstance(early)).toBe(true);
    expect(fake.requests).toHaveLength(0);

    const during = new AbortController();
    let seen = 0;
    const late = await rejection(
      fetchFromGateway(
        request(path, fake.url, {
          signal: during.signal,
          onBytes: (count) => {
            seen = count;
            during.abort();
          },
        }),
      ),
    );
    expect(AbortedError.isInstance(late)).toBe(true);
    expect((late as AbortedError).reason).toContain(`download of ${model}/${path}`);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(files[path]?.byteLength ?? 0);
    expect(await leftovers(path)).toEqual([]);
  });
});
