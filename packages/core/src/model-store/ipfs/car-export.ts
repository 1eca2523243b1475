import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CarWriter } from '@ipld/car/writer';
import * as dagPb from '@ipld/dag-pb';
import { importer, type ImportCandidate } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { kuboImporterOptions } from './unixfs-cid.js';

export interface WriteModelCarOptions {
  /** The model folder. */
  readonly directory: string;
  /** The files to include, relative to `directory`, with `/` separators (e.g. `onnx/model.onnx`). */
  readonly files: readonly string[];
  /** Path of the CAR file to write. */
  readonly output: string;
}

export interface ModelCar {
  /** CIDv1 of the UnixFS directory holding the files: the CAR's single root. */
  readonly root: string;
  /** Each listed file's CIDv1, as `unixfsCid` gives it. */
  readonly files: Record<string, string>;
}

function checkRelative(path: string): void {
  const parts = path.split('/');
  if (path.length === 0 || path.startsWith('/') || path.includes('\\') || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new TypeError(`writeModelCar: ${JSON.stringify(path)} is not a plain relative path inside the model folder`);
  }
}

/**
 * Writes a CARv1 whose single root is a UnixFS directory holding `files` under their relative
 * paths: the DAG `ipfs add -r --cid-version=1 --raw-leaves` builds for the folder (kubo's chunking
 * and layout), limited to the listed files. `ipfs dag import` of the CAR, or pinning it on any
 * IPFS service, makes the model fetchable from gateways by the CIDs this returns.
 *
 * One streaming pass: blocks go to `output` as the importer produces them (leaves before their
 * parents, each distinct block once), under a placeholder root of the same length that is
 * replaced in the header at the end. Memory holds one set of block ids, never file contents.
 */
export async function writeModelCar(options: WriteModelCarOptions): Promise<ModelCar> {
  const { directory, files, output } = options;
  const seen = new Set<string>();
  for (const file of files) {
    checkRelative(file);
    if (seen.has(file)) throw new TypeError(`writeModelCar: ${file} is listed twice`);
    seen.add(file);
  }
  // Any CIDv1 dag-pb sha2-256 CID has the root's encoded length, so the header can be rewritten in place.
  const placeholder = CID.createV1(dagPb.code, await sha256.digest(new Uint8Array(0)));
  await mkdir(dirname(output), { recursive: true });
  const { writer, out } = CarWriter.create([placeholder]);
  const written = pipeline(Readable.from(out), createWriteStream(output));
  const blocks = new Set<string>();
  const store = {
    async put(cid: CID, bytes: Uint8Array): Promise<CID> {
      const key = cid.toString();
      if (!blocks.has(key)) {
        blocks.add(key);
        await writer.put({ cid, bytes });
      }
      return cid;
    },
  };
  const candidates: ImportCandidate[] = files.map((file) => ({ path: file, content: createReadStream(join(directory, ...file.split('/'))) }));
  const cids: Record<string, string> = {};
  let root: CID | undefined;
  try {
    for await (const entry of importer(candidates, store, { ...kuboImporterOptions(), wrapWithDirectory: true })) {
      if (entry.path !== undefined && seen.has(entry.path)) cids[entry.path] = entry.cid.toString();
      root = entry.cid;
    }
  } catch (error) {
    await writer.close().catch(() => undefined);
    await written.catch(() => undefined);
    throw error;
  }
  await writer.close();
  await written;
  if (root === undefined) throw new Error('writeModelCar: the importer produced no root directory');
  const fd = await open(output, 'r+');
  try {
    await CarWriter.updateRootsInFile(fd, [root]);
  } finally {
    await fd.close();
  }
  for (const file of files) {
    if (cids[file] === undefined) throw new Error(`writeModelCar: the importer produced no entry for ${file}`);
  }
  return { root: root.toString(), files: cids };
}
