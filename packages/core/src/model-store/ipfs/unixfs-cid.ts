import { createReadStream } from 'node:fs';
import { BlackHoleBlockstore } from 'blockstore-core/black-hole';
import { importFile, type ImporterOptions } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';

/** Kubo's fixed-size chunk: 256 KiB. */
export const KUBO_CHUNK_BYTES = 262_144;
/** Kubo's balanced layout puts at most 174 links in a node. */
export const KUBO_MAX_LINKS = 174;

/**
 * The importer settings that reproduce `ipfs add --cid-version=1 --raw-leaves` with kubo's other
 * defaults: 256 KiB fixed-size chunks, a balanced DAG of at most 174 links per node, raw leaves,
 * a one-chunk file addressed by its raw leaf, and directories that become HAMT shards only past
 * 256 KiB of estimated link bytes. Spelled out rather than left to the library's defaults, so a
 * library upgrade (or its newer `unixfs-v1-2025` profile: 1 MiB chunks, 1024 links) cannot move
 * the CIDs a manifest already recorded.
 */
export function kuboImporterOptions(): ImporterOptions {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: KUBO_CHUNK_BYTES }),
    layout: balanced({ maxChildrenPerNode: KUBO_MAX_LINKS }),
    shardSplitThresholdBytes: 262_144,
    shardSplitStrategy: 'links-bytes',
    fieldOrder: 'links-first',
    wrapWithDirectory: false,
  };
}

/**
 * The CIDv1 (base32) that `ipfs add --cid-version=1 --raw-leaves <path>` gives for a file. The
 * file is streamed from disk and every block is hashed and dropped, so memory stays flat however
 * large the file is.
 */
export async function unixfsCid(path: string): Promise<string> {
  const entry = await importFile({ content: createReadStream(path) }, new BlackHoleBlockstore(), kuboImporterOptions());
  return entry.cid.toString();
}
