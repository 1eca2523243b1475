import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarReader } from '@ipld/car/reader';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { UnixFS } from 'ipfs-unixfs';
import { exporter, recursive } from 'ipfs-unixfs-exporter';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModelCar } from '../../src/model-store/ipfs/car-export.js';
import { unixfsCid } from '../../src/model-store/ipfs/unixfs-cid.js';
import { deterministicBytes, writeFiles } from './helpers.js';

const chunk = 262_144;
const files: Record<string, Uint8Array | string> = {
  'config.json': JSON.stringify({ model_type: 'bert', hidden_size: 32 }),
  'tokenizer.json': deterministicBytes(300 * 1024, 7),
  'onnx/model.onnx': deterministicBytes(2 * 1024 * 1024 + 123, 11),
  // Repeated chunks: the same raw leaf appears three times in the file's DAG.
  'onnx/model.onnx_data': new Uint8Array(3 * chunk + 1000),
};
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'accel-car-export-'));
  await writeFiles(join(directory, 'model'), { ...files, 'README.md': 'not listed, so not exported\n' });
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('writeModelCar', () => {
  it('writes a CARv1 rooted at a directory of exactly the listed files, each under the CID unixfsCid gives it', async () => {
    const output = join(directory, 'out', 'model.car');
    const listed = Object.keys(files);
    const car = await writeModelCar({ directory: join(directory, 'model'), files: listed, output });

    expect(Object.keys(car.files).sort()).toEqual([...listed].sort());
    for (const path of listed) expect(car.files[path]).toBe(await unixfsCid(join(directory, 'model', path)));

    const reader = await CarReader.fromBytes(await readFile(output));
    expect(reader.version).toBe(1);
    expect((await reader.getRoots()).map(String)).toEqual([car.root]);
    const store = new MemoryBlockstore();
    const seen = new Set<string>();
    for await (const block of reader.blocks()) {
      // Every block verifies and appears once, repeated leaves included.
      expect(block.cid.multihash.digest).toEqual((await sha256.digest(block.bytes)).digest);
      expect(seen.has(block.cid.toString())).toBe(false);
      seen.add(block.cid.toString());
      await store.put(block.cid, block.bytes);
    }

    const root = await exporter(car.root, store);
    expect(root.type).toBe('directory');
    expect(root.cid.code).toBe(dagPb.code);
    // Walked as a gateway would: every path below the root, and each file's bytes by path.
    const paths: string[] = [];
    for await (const entry of recursive(car.root, store)) paths.push(entry.path.split('/').slice(1).join('/'));
    expect(paths.sort()).toEqual(['', 'config.json', 'onnx', 'onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json']);
    for (const [path, content] of Object.entries(files)) {
      const entry = await exporter(`${car.root}/${path}`, store);
      expect(entry.cid.toString()).toBe(car.files[path]);
      if (entry.type !== 'file' && entry.type !== 'raw') throw new Error(`${path} is a ${entry.type}`);
      const parts: Uint8Array[] = [];
      for await (const part of entry.content()) parts.push(part);
      expect(Buffer.concat(parts).equals(Buffer.from(content))).toBe(true);
    }
  });

  it('builds the directories ipfs add -r builds: dag-pb UnixFS directories, links sorted by name, Tsize the cumulative DAG size', async () => {
    const output = join(directory, 'dirs.car');
    const car = await writeModelCar({ directory: join(directory, 'model'), files: Object.keys(files), output });
    const blocks = new Map<string, Uint8Array>();
    for await (const block of (await CarReader.fromBytes(await readFile(output))).blocks()) blocks.set(block.cid.toString(), block.bytes);
    const cumulative = (cid: CID): number => {
      const bytes = blocks.get(cid.toString());
      if (bytes === undefined) throw new Error(`block ${cid} missing`);
      return cid.code === dagPb.code ? dagPb.decode(bytes).Links.reduce((sum, link) => sum + cumulative(link.Hash), bytes.byteLength) : bytes.byteLength;
    };
    const directoryNode = async (entries: Record<string, CID>): Promise<CID> => {
      const links = Object.entries(entries)
        .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
        .map(([Name, Hash]) => ({ Name, Hash, Tsize: cumulative(Hash) }));
      const bytes = dagPb.encode({ Data: new UnixFS({ type: 'directory' }).marshal(), Links: links });
      const cid = CID.createV1(dagPb.code, await sha256.digest(bytes));
      blocks.set(cid.toString(), bytes);
      return cid;
    };
    const file = (path: string): CID => CID.parse(car.files[path] ?? '');
    const onnx = await directoryNode({ 'model.onnx': file('onnx/model.onnx'), 'model.onnx_data': file('onnx/model.onnx_data') });
    const root = await directoryNode({ 'tokenizer.json': file('tokenizer.json'), onnx, 'config.json': file('config.json') });
    expect(root.toString()).toBe(car.root);
  });

  it('gives the same root for the same files whatever order they are listed in', async () => {
    const listed = Object.keys(files);
    const a = await writeModelCar({ directory: join(directory, 'model'), files: listed, output: join(directory, 'a.car') });
    const b = await writeModelCar({ directory: join(directory, 'model'), files: [...listed].reverse(), output: join(directory, 'b.car') });
    expect(b.root).toBe(a.root);
    expect(await readFile(join(directory, 'b.car'))).toHaveLength((await readFile(join(directory, 'a.car'))).byteLength);
    // A different selection is a different directory.
    const c = await writeModelCar({ directory: join(directory, 'model'), files: ['config.json'], output: join(directory, 'c.car') });
    expect(c.root).not.toBe(a.root);
  });

  it('refuses paths that leave the folder, and files listed twice', async () => {
    const base = { directory: join(directory, 'model'), output: join(directory, 'bad.car') };
    await expect(writeModelCar({ ...base, files: ['../secret'] })).rejects.toThrow(/not a plain relative path/);
    await expect(writeModelCar({ ...base, files: ['/etc/passwd'] })).rejects.toThrow(/not a plain relative path/);
    await expect(writeModelCar({ ...base, files: ['config.json', 'config.json'] })).rejects.toThrow(/listed twice/);
  });
});
