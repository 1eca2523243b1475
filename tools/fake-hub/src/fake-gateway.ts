import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CarReader } from '@ipld/car/reader';
import * as CarBufferWriter from '@ipld/car/buffer-writer';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';

/** What the fake gateway saw: one entry per request. */
export interface FakeGatewayRequest {
  /** Path and query, e.g. `/ipfs/bafy…?format=car&dag-scope=all`. */
  readonly path: string;
  readonly accept: string | undefined;
}

export interface FakeGatewayOptions {
  /** The CAR served for each root CID (base32 CIDv1 string), or a function answering the same. */
  readonly cars: Map<string, Uint8Array> | ((cid: string) => Uint8Array | undefined);
  /**
   * `Content-Type` of CAR responses. Default `application/vnd.ipld.car; version=1` (block order
   * unknown, as the spec's default); `subDagCars` output may be declared `…; order=dfs; dups=y`.
   */
  readonly contentType?: string;
  /** Bytes per write when serving a CAR (default 64 KiB), paced by `delayMs` between writes. */
  readonly chunkBytes?: number;
  readonly delayMs?: number;
}

export interface FakeGateway {
  /** `http://127.0.0.1:<port>`: a gateway base URL. */
  readonly url: string;
  readonly requests: FakeGatewayRequest[];
  close(): Promise<void>;
}

const carType = 'application/vnd.ipld.car';

/** Whether an `Accept` header lists the CAR media type (any parameters, any q other than 0). */
function acceptsCar(accept: string): boolean {
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === carType && !params.some((param) => /^q=0(\.0*)?$/.test(param));
  });
}

function plain(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(`${message}\n`);
}

/**
 * Serves CARs at `GET /ipfs/<cid>` the way an IPFS trustless gateway does (specs.ipfs.tech,
 * trustless-gateway): a CAR when the request asks for one (`?format=car`, which takes precedence,
 * or `Accept: application/vnd.ipld.car`), `404` for a CID it does not hold, `400` when neither
 * `format` nor `Accept` is given (a strict trustless gateway), `406` when they ask for another type
 * (this fake serves CARs only), `400` for `dag-scope=block` or a path below the CID (not
 * implemented). Tests only.
 */
export async function startFakeGateway(options: FakeGatewayOptions): Promise<FakeGateway> {
  const requests: FakeGatewayRequest[] = [];
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const lookup = (cid: string): Uint8Array | undefined => (typeof options.cars === 'function' ? options.cars(cid) : options.cars.get(cid));

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const accept = request.headers.accept;
    requests.push({ path: url.pathname + url.search, accept });
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'method not allowed');
    const match = /^\/ipfs\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (match === null) return plain(response, 404, 'not found');
    if (match[2] !== undefined && match[2] !== '/') return plain(response, 400, 'paths below a CID are not implemented by this fake gateway');
    let cid: string;
    try {
      cid = CID.parse(match[1] ?? '').toV1().toString();
    } catch {
      return plain(response, 400, `invalid CID ${match[1]}`);
    }
    const format = url.searchParams.get('format');
    if (format !== null) {
      if (format !== 'car') return plain(response, 406, `format=${format} is not served by this fake gateway (CARs only)`);
    } else if (accept === undefined || accept.trim() === '') {
      return plain(response, 400, 'a trustless gateway needs Accept: application/vnd.ipld.car or ?format=car');
    } else if (!acceptsCar(accept)) {
      return plain(response, 406, `cannot answer Accept: ${accept} (CARs only)`);
    }
    const scope = url.searchParams.get('dag-scope') ?? 'all';
    if (scope !== 'all' && scope !== 'entity') return plain(response, 400, `dag-scope=${scope} is not implemented by this fake gateway`);
    const car = lookup(cid);
    if (car === undefined) return plain(response, 404, `${cid} not found`);
    response.writeHead(200, {
      'content-type': options.contentType ?? `${carType}; version=1`,
      'content-disposition': `attachment; filename="${cid}.car"`,
      etag: `"${cid}.car"`,
      'x-content-type-options': 'nosniff',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    for (let index = 0; index < car.byteLength; index += chunkBytes) {
      if (!response.write(car.subarray(index, index + chunkBytes))) await new Promise((resolve) => response.once('drain', resolve));
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (response.destroyed) return;
    }
    response.end();
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) plain(response, 500, String(error));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What a gateway holding a whole model CAR (e.g. one from `writeModelCar`) would serve: for any
 * CID in it, a CARv1 of the DAG below that CID in depth-first order with duplicates repeated
 * (`order=dfs; dups=y`), rooted at it. Answers `undefined` for a CID the CAR lacks.
 */
export async function subDagCars(modelCar: Uint8Array): Promise<(cid: string) => Uint8Array | undefined> {
  const reader = await CarReader.fromBytes(modelCar);
  const blocks = new Map<string, { cid: CID; bytes: Uint8Array }>();
  for await (const block of reader.blocks()) blocks.set(block.cid.toV1().toString(), block);
  const cache = new Map<string, Uint8Array>();
  return (cid) => {
    const key = CID.parse(cid).toV1().toString();
    const root = blocks.get(key);
    if (root === undefined) return undefined;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const ordered: { cid: CID; bytes: Uint8Array }[] = [];
    const visit = (block: { cid: CID; bytes: Uint8Array }): void => {
      ordered.push(block);
      if (block.cid.code !== dagPb.code) return;
      for (const link of dagPb.decode(block.bytes).Links) {
        const child = blocks.get(link.Hash.toV1().toString());
        if (child !== undefined) visit(child); // a CAR without the child yields a CAR without it, as a gateway missing it would
      }
    };
    visit(root);
    const car = encodeCar(root.cid, ordered);
    cache.set(key, car);
    return car;
  };
}

/** A CARv1 of `blocks` in the order given (repeats kept), rooted at `root`, built in memory: test-sized data. */
export function encodeCar(root: CID, blocks: readonly { cid: CID; bytes: Uint8Array }[]): Uint8Array {
  const size = CarBufferWriter.headerLength({ roots: [root] }) + blocks.reduce((sum, block) => sum + CarBufferWriter.blockLength(block), 0);
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(size), { roots: [root] });
  for (const block of blocks) writer.write(block);
  return writer.close({ resize: true });
}
