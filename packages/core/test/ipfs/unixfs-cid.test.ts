import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { UnixFS } from 'ipfs-unixfs';
import { exporter } from 'ipfs-unixfs-exporter';
import { importFile } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kuboImporterOptions, unixfsCid } from '../../src/model-store/ipfs/unixfs-cid.js';
import { deterministicBytes } from './helpers.js';

const chunk = 262_144;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'accel-unixfs-cid-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function fileWith(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, bytes);
  return path;
}

/** The blocks `unixfsCid` hashes and drops, kept this time so the DAG can be inspected. */
async function dagOf(bytes: Uint8Array): Promise<{ root: CID; blocks: MemoryBlockstore }> {
  const blocks = new MemoryBlockstore();
  const entry = await importFile({ content: bytes }, blocks, kuboImporterOptions());
  return { root: entry.cid, blocks };
}

async function rawLeafCid(bytes: Uint8Array): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(bytes));
}

describe('unixfsCid', () => {
  it('gives the empty file the CID of the empty raw block', async () => {
    expect(await unixfsCid(await fileWith('empty', ''))).toBe('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku');
  });

  it('gives "hello world\\n" the CID `ipfs add --cid-version=1` gives it', async () => {
    // The value kubo prints, also served for "hello world\n" by boxo's gateway tests.
    expect(await unixfsCid(await fileWith('hello', 'hello world\n'))).toBe('bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4');
  });

  it('addresses a one-chunk file (exactly 256 KiB) by its raw leaf', async () => {
    const bytes = deterministicBytes(chunk, 3);
    expect(await unixfsCid(await fileWith('one-chunk', bytes))).toBe((await rawLeafCid(bytes)).toString());
  });

  it('splits 1 MiB into four 256 KiB raw leaves under one dag-pb file node', async () => {
    const bytes = deterministicBytes(4 * chunk, 1);
    const cid = await unixfsCid(await fileWith('one-mib', bytes));
    // Pinned when this test was written (no kubo on hand to print it); the hand-built root below is
    // the independent check. Kept so a change of chunking, layout or encoding cannot go unnoticed.
    expect(cid).toBe('bafybeibwvtpwlzgif3swhuckm2vfa2eslywiyq7prevcpxm3jotzmek4pm');

    const { root, blocks } = await dagOf(bytes);
    expect(root.toString()).toBe(cid);
    const entry = await exporter(root, blocks);
    expect(entry.type).toBe('file');
    if (entry.type !== 'file') return;
    expect(entry.cid.code).toBe(dagPb.code);
    expect(entry.node.Links).toHaveLength(4);
    for (const [index, link] of entry.node.Links.entries()) {
      expect(link.Hash.code).toBe(raw.code);
      expect(link.Tsize).toBe(chunk);
      expect(link.Hash.toString()).toBe((await rawLeafCid(bytes.subarray(index * chunk, (index + 1) * chunk))).toString());
    }
    expect(entry.unixfs.blockSizes).toEqual([chunk, chunk, chunk, chunk].map(BigInt));

    // The same root, built by hand from the spec: a dag-pb node whose UnixFS Data is a `file`
    // with four blocksizes, linking the four sha2-256 raw leaves.
    const links = await Promise.all([0, 1, 2, 3].map(async (index) => ({ Hash: await rawLeafCid(bytes.subarray(index * chunk, (index + 1) * chunk)), Name: '', Tsize: chunk })));
    const node = dagPb.encode({ Data: new UnixFS({ type: 'file', blockSizes: links.map(() => BigInt(chunk)) }).marshal(), Links: links });
    expect(CID.createV1(dagPb.code, await sha256.digest(node)).toString()).toBe(cid);
  });

  it('puts at most 174 links in a node (kubo\'s balanced layout)', async () => {
    const bytes = deterministicBytes(175 * chunk + 10, 2);
    const cid = await unixfsCid(await fileWith('175-chunks', bytes));
    const { root, blocks } = await dagOf(bytes);
    expect(root.toString()).toBe(cid);
    const entry = await exporter(root, blocks);
    if (entry.type !== 'file') throw new Error(`expected a file, got ${entry.type}`);
    // 176 leaves: a first level of 174, then a node holding the last two.
    expect(entry.node.Links).toHaveLength(2);
    const [first, second] = await Promise.all(entry.node.Links.map((link) => exporter(link.Hash, blocks)));
    if (first?.type !== 'file' || second?.type !== 'file') throw new Error('expected two file nodes');
    expect(first.node.Links).toHaveLength(174);
    expect(second.node.Links).toHaveLength(2);
    expect(entry.size).toBe(BigInt(bytes.byteLength));
  });
});
