import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CarBlockIterator } from '@ipld/car/iterator';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { equals } from 'multiformats/bytes';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { AbortedError } from '../../errors/aborted-error.js';
import { describeError } from '../file-facts.js';
import { ModelIntegrityError } from '../../errors/model-integrity-error.js';

/**
 * An IPFS gateway could not deliver a file: it answered 404 or 5xx, could not be reached, sent
 * something other than a CAR, or its CAR ended without every block of the file. Not an
 * `AccelError` on purpose: the model store catches it and falls back to the hub, recording
 * `reason`. (Bytes that do not hash to their CID are a `ModelIntegrityError` instead.)
 */
export class GatewayUnavailableError extends Error {
  /** What went wrong, in a few words (`HTTP 404`, `unreachable: …`, `CAR lacks block bafk…`). */
  readonly reason: string;
  readonly gateway: string;
  readonly cid: string;

  constructor({ gateway, cid, reason, cause }: { gateway: string; cid: string; reason: string; cause?: unknown }) {
    super(`IPFS gateway ${gateway} could not serve ${cid}: ${reason}`, cause === undefined ? undefined : { cause });
    this.name = 'GatewayUnavailableError';
    this.reason = reason;
    this.gateway = gateway;
    this.cid = cid;
  }
}

export interface FetchFromGatewayOptions {
  /** Base URL of a trustless gateway, e.g. `https://trustless-gateway.link`. */
  readonly gateway: string;
  /** The file's CIDv1 (as `unixfsCid` computes it). */
  readonly cid: string;
  /** Model id or folder, for error messages. */
  readonly model: string;
  /** The file's path relative to the model folder, for error messages. */
  readonly file: string;
  /** Final path; bytes gather in `<target>.ipfs.partial`, renamed only when the whole file verified. */
  readonly target: string;
  /** The size the manifest records; the DAG must describe exactly this many bytes. */
  readonly expectedSize: number;
  readonly signal?: AbortSignal | undefined;
  /** Bytes written to `<target>.ipfs.partial` so far, after each block. */
  readonly onBytes?: ((bytes: number) => void) | undefined;
  /** Stand-in for the global `fetch` (tests). */
  readonly fetch?: typeof fetch | undefined;
  /**
   * Verified blocks that arrive before the block linking them are held in memory until it comes;
   * past this many bytes the gateway is given up on. Only matters for gateways that ignore the
   * `order=dfs` the request asks for. Default 64 MiB.
   */
  readonly maxOutOfOrderBytes?: number | undefined;
  /** Give the gateway up (`GatewayUnavailableError`) after this long without a response or a block. Default 30 s. */
  readonly idleTimeoutMs?: number | undefined;
}

/** The CAR flavour asked for (IPIP-412): depth-first, duplicates included, so leaves stream in file order. */
const carAccept = 'application/vnd.ipld.car; version=1; order=dfs; dups=y';

/** Where a block's bytes belong in the file. */
interface Slot {
  readonly offset: number;
  readonly length: number;
}

/** A received UnixFS file node: its own bytes and its children, in order, with their sizes. */
interface FileNode {
  readonly data: Uint8Array;
  readonly children: readonly { readonly cid: CID; readonly length: number }[];
}

function keyOf(cid: CID): string {
  // A CIDv0 link and a CIDv1 dag-pb CID name the same block.
  return cid.toV1().toString();
}

/**
 * Writes a UnixFS file from a stream of verified blocks. Each block lands at the offsets its
 * parents assign it (from their `blocksizes`), so a depth-first CAR streams straight to disk and a
 * CAR in another order works too, holding early blocks until their parent arrives. Raw leaves that
 * recur (a file's repeated chunks) are copied from where they were first written.
 */
class FileAssembler {
  /** Blocks linked but not yet received, and where each must go. */
  private readonly pending = new Map<string, Slot[]>();
  /** Raw leaves written, and one place in the file holding their bytes. */
  private readonly leaves = new Map<string, Slot>();
  /** File nodes received (small: links and sizes), to expand again if they recur. */
  private readonly nodes = new Map<string, FileNode>();
  /** Verified blocks that arrived before any block linked them. */
  private readonly early = new Map<string, Uint8Array>();
  private earlyBytes = 0;
  written = 0;

  constructor(
    private readonly fd: FileHandle,
    root: CID,
    expectedSize: number,
    private readonly context: {
      integrity(cid: CID, expected: string, actual: string): Error;
      unavailable(reason: string): Error;
      /** The CAR says it is depth-first: a block no earlier block links is refused at once. */
      readonly strictOrder: boolean;
      readonly maxOutOfOrderBytes: number;
      readonly onBytes: ((bytes: number) => void) | undefined;
    },
  ) {
    this.pending.set(keyOf(root), [{ offset: 0, length: expectedSize }]);
  }

  /** Blocks still awaited. */
  missing(): string[] {
    return [...this.pending.keys()];
  }

  /** Blocks received that nothing linked to. */
  unreachable(): string[] {
    return [...this.early.keys()];
  }

  async accept(cid: CID, bytes: Uint8Array): Promise<void> {
    const key = keyOf(cid);
    const slots = this.pending.get(key);
    if (slots !== undefined) {
      this.pending.delete(key);
      await this.place(cid, bytes, slots);
      return;
    }
    if (this.leaves.has(key) || this.nodes.has(key) || this.early.has(key)) return; // a duplicate
    if (this.context.strictOrder) throw this.context.unavailable(`block ${cid} is not reachable from the requested root (it came before any block linking it, in a CAR declared depth-first)`);
    this.earlyBytes += bytes.byteLength;
    if (this.earlyBytes > this.context.maxOutOfOrderBytes) {
      throw this.context.unavailable(`more than ${this.context.maxOutOfOrderBytes} bytes of blocks arrived before any block linking them (last ${cid}); not reachable from the root, or an unordered CAR too large to hold`);
    }
    this.early.set(key, bytes);
  }

  private async place(cid: CID, bytes: Uint8Array, slots: readonly Slot[]): Promise<void> {
    const key = keyOf(cid);
    if (cid.code === raw.code) {
      for (const slot of slots) {
        if (bytes.byteLength !== slot.length) throw this.context.integrity(cid, `${slot.length} bytes`, `${bytes.byteLength} bytes`);
        await this.write(bytes, slot.offset);
      }
      const first = slots[0];
      if (first !== undefined) this.leaves.set(key, first);
      return;
    }
    if (cid.code !== dagPb.code) throw this.context.integrity(cid, 'a UnixFS file block (raw or dag-pb)', `codec 0x${cid.code.toString(16)}`);
    const node = this.decodeFileNode(cid, bytes);
    this.nodes.set(key, node);
    for (const slot of slots) await this.expand(cid, node, slot);
  }

  private decodeFileNode(cid: CID, bytes: Uint8Array): FileNode {
    let pb: dagPb.PBNode;
    let unixfs: UnixFS;
    try {
      pb = dagPb.decode(bytes);
      if (pb.Data === undefined) throw new Error('no UnixFS data');
      unixfs = UnixFS.unmarshal(pb.Data);
    } catch (error) {
      throw this.context.integrity(cid, 'a UnixFS file node', `undecodable block (${describeError(error)})`);
    }
    if (unixfs.type !== 'file' && unixfs.type !== 'raw') throw this.context.integrity(cid, 'a UnixFS file node', `a UnixFS ${unixfs.type} node`);
    if (pb.Links.length !== unixfs.blockSizes.length) {
      throw this.context.integrity(cid, `${pb.Links.length} blocksizes for ${pb.Links.length} links`, `${unixfs.blockSizes.length} blocksizes`);
    }
    return {
      data: unixfs.data ?? new Uint8Array(0),
      children: pb.Links.map((link, index) => ({ cid: link.Hash, length: Number(unixfs.blockSizes[index]) })),
    };
  }

  private async expand(cid: CID, node: FileNode, slot: Slot): Promise<void> {
    const total = node.children.reduce((sum, child) => sum + child.length, node.data.byteLength);
    if (total !== slot.length) throw this.context.integrity(cid, `${slot.length} bytes`, `a node of ${total} bytes`);
    await this.write(node.data, slot.offset);
    let offset = slot.offset + node.data.byteLength;
    for (const child of node.children) {
      await this.link(child.cid, { offset, length: child.length });
      offset += child.length;
    }
  }

  /** A parent names `cid` for `slot`: fill it now if the bytes are at hand, else wait for the block. */
  private async link(cid: CID, slot: Slot): Promise<void> {
    const key = keyOf(cid);
    if (cid.multihash.code === identity.code) {
      await this.place(cid, cid.multihash.digest, [slot]);
      return;
    }
    const leaf = this.leaves.get(key);
    if (leaf !== undefined) {
      if (leaf.length !== slot.length) throw this.context.integrity(cid, `${slot.length} bytes`, `${leaf.length} bytes`);
      const copy = new Uint8Array(leaf.length);
      await this.fd.read(copy, 0, leaf.length, leaf.offset);
      await this.write(copy, slot.offset);
      return;
    }
    const node = this.nodes.get(key);
    if (node !== undefined) {
      await this.expand(cid, node, slot);
      return;
    }
    const early = this.early.get(key);
    if (early !== undefined) {
      this.early.delete(key);
      this.earlyBytes -= early.byteLength;
      await this.place(cid, early, [slot]);
      return;
    }
    const slots = this.pending.get(key);
    if (slots === undefined) this.pending.set(key, [slot]);
    else slots.push(slot);
  }

  private async write(bytes: Uint8Array, offset: number): Promise<void> {
    if (bytes.byteLength === 0) return;
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesWritten } = await this.fd.write(bytes, done, bytes.byteLength - done, offset + done);
      done += bytesWritten;
    }
    this.written += bytes.byteLength;
    this.context.onBytes?.(this.written);
  }
}

/**
 * Downloads one model file from an IPFS trustless gateway and verifies it without trusting the
 * gateway: `GET <gateway>/ipfs/<cid>?format=car&dag-scope=all` asks for the file's DAG as a CAR
 * stream, every block's bytes are hashed against its CID as it arrives, only blocks reachable from
 * `cid` are used, and the file is assembled from them in `<target>.ipfs.partial`, renamed to `target`
 * once every block has arrived and the size matches `expectedSize`.
 *
 * Throws `ModelIntegrityError` (naming the file and the block) when a block's bytes do not hash to
 * its CID or the DAG does not describe a file of `expectedSize` bytes; `GatewayUnavailableError`
 * when the gateway answers an error status, cannot be reached, sends no CAR, or its CAR lacks a
 * block; `AbortedError` when `signal` aborts. The partial file is deleted on every failure.
 */
export async function fetchFromGateway(options: FetchFromGatewayOptions): Promise<void> {
  const { gateway, model, file, target, expectedSize, signal } = options;
  const doFetch = options.fetch ?? fetch;
  let root: CID;
  try {
    root = CID.parse(options.cid);
  } catch (error) {
    throw new ModelIntegrityError({ model, file, expected: 'a CID', actual: JSON.stringify(options.cid), message: `model ${model}: ${file} has an unparsable CID ${JSON.stringify(options.cid)}`, cause: error });
  }
  const cid = root.toString();
  const unavailable = (reason: string, cause?: unknown): GatewayUnavailableError => new GatewayUnavailableError({ gateway, cid, reason, cause });
  const aborted = (cause?: unknown): AbortedError => new AbortedError({ reason: `download of ${model}/${file} from ${gateway} aborted`, cause: cause ?? signal?.reason });
  if (signal?.aborted) throw aborted();

  // A gateway that stops sending is as good as down: abort the request after `idleMs` without a block.
  const idleMs = options.idleTimeoutMs ?? 30_000;
  const idle = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  const requestSignal = signal === undefined ? idle.signal : AbortSignal.any([signal, idle.signal]);
  /** The error for a failure while the request was being aborted, by the caller or for idleness. */
  const stopped = (cause: unknown): Error | undefined => {
    if (signal?.aborted) return aborted(cause);
    if (idle.signal.aborted) return unavailable(`stalled: no data for ${idleMs} ms`, cause);
    return undefined;
  };
  arm();
  try {
    const url = new URL(`ipfs/${cid}`, gateway.endsWith('/') ? gateway : `${gateway}/`);
    url.searchParams.set('format', 'car');
    url.searchParams.set('dag-scope', 'all');
    let response: Response;
    try {
      response = await doFetch(url, { headers: { accept: carAccept }, signal: requestSignal });
    } catch (error) {
      throw stopped(error) ?? unavailable(`unreachable: ${describeError(error)}`, error);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw unavailable(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!/^application\/vnd\.ipld\.car\b/i.test(contentType)) {
      await response.body.cancel().catch(() => undefined);
      throw unavailable(`answered ${contentType || 'no content type'}, not a CAR`);
    }
    const declaredDfs = /;\s*order\s*=\s*dfs\b/i.test(contentType);

    const partial = `${target}.ipfs.partial`; // not the hub's `.partial`, whose bytes a fallback may resume
    await mkdir(dirname(target), { recursive: true });
    const fd = await open(partial, 'w');
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    let closed = false;
    const closeFd = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await fd.close();
    };
    try {
      const assembler = new FileAssembler(fd, root, expectedSize, {
        integrity: (block, expected, actual) =>
          new ModelIntegrityError({
            model,
            file,
            expected: `block ${block}: ${expected}`,
            actual,
            message: `model ${model}: ${file} failed verification at IPFS block ${block}: expected ${expected}, got ${actual}; the partial file was deleted`,
          }),
        unavailable: (reason) => unavailable(reason),
        strictOrder: declaredDfs,
        maxOutOfOrderBytes: options.maxOutOfOrderBytes ?? 64 * 1024 * 1024,
        onBytes: options.onBytes,
      });
      let blocks: AsyncIterable<{ cid: CID; bytes: Uint8Array }>;
      try {
        blocks = await CarBlockIterator.fromIterable(body);
      } catch (error) {
        throw stopped(error) ?? unavailable(`not a readable CAR: ${describeError(error)}`, error);
      }
      const iterator = blocks[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<{ cid: CID; bytes: Uint8Array }>;
        try {
          next = await iterator.next();
        } catch (error) {
          throw stopped(error) ?? unavailable(`CAR stream broke after ${assembler.written} of ${expectedSize} bytes: ${describeError(error)}`, error);
        }
        if (next.done) break;
        if (signal?.aborted) throw aborted();
        arm();
        const { cid: blockCid, bytes } = next.value;
        await verifyBlock(blockCid, bytes, { model, file, unavailable });
        await assembler.accept(blockCid, bytes);
      }
      const missing = assembler.missing();
      if (missing.length > 0) {
        throw unavailable(`CAR lacks block ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''} (${assembler.written} of ${expectedSize} bytes received)`);
      }
      const stray = assembler.unreachable();
      if (stray.length > 0) throw unavailable(`CAR carries ${stray.length} block(s) not reachable from the requested root, e.g. ${stray[0]}`);
      const { size } = await fd.stat();
      if (size !== expectedSize) throw new ModelIntegrityError({ model, file, expected: `size ${expectedSize}`, actual: `size ${size}` });
      await fd.sync();
      await closeFd();
      await rename(partial, target);
    } catch (error) {
      body.destroy();
      await closeFd().catch(() => undefined);
      await rm(partial, { force: true });
      if (signal?.aborted && !AbortedError.isInstance(error) && !ModelIntegrityError.isInstance(error)) throw aborted(error);
      throw error;
    }
  } finally {
    clearTimeout(timer);
  }
}

async function verifyBlock(
  cid: CID,
  bytes: Uint8Array,
  context: { model: string; file: string; unavailable: (reason: string) => GatewayUnavailableError },
): Promise<void> {
  let actual: Uint8Array;
  let label: string;
  if (cid.multihash.code === sha256.code) {
    actual = (await sha256.digest(bytes)).digest;
    label = 'sha2-256';
  } else if (cid.multihash.code === identity.code) {
    actual = bytes;
    label = 'identity';
  } else {
    throw context.unavailable(`block ${cid} uses multihash 0x${cid.multihash.code.toString(16)}, which this client does not verify`);
  }
  if (!equals(actual, cid.multihash.digest)) {
    const hex = Buffer.from(actual).toString('hex');
    throw new ModelIntegrityError({
      model: context.model,
      file: context.file,
      expected: `block ${cid}`,
      actual: `${label} ${label === 'identity' ? `${bytes.byteLength} bytes` : hex}`,
      message: `model ${context.model}: ${context.file} failed verification: the gateway sent bytes for IPFS block ${cid} that hash to ${label} ${hex}; the partial file was deleted`,
    });
  }
}
