import { encodeCar, startFakeGateway, type FakeGateway } from '@accel/fake-hub';
import { CarReader } from '@ipld/car/reader';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The fake gateway the IPFS tests rely on answers as the trustless-gateway spec says.
const bytes = new TextEncoder().encode('hello world\n');
let cid: CID;
let car: Uint8Array;
let fake: FakeGateway;

beforeAll(async () => {
  cid = CID.createV1(raw.code, await sha256.digest(bytes));
  car = encodeCar(cid, [{ cid, bytes }]);
  fake = await startFakeGateway({ cars: new Map([[cid.toString(), car]]) });
});
afterAll(async () => {
  await fake.close();
});

describe('startFakeGateway', () => {
  it('serves the CAR for Accept: application/vnd.ipld.car, as CARv1 with its content type', async () => {
    const response = await fetch(`${fake.url}/ipfs/${cid}`, { headers: { accept: 'application/vnd.ipld.car' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.ipld.car; version=1');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${cid}.car"`);
    const reader = await CarReader.fromBytes(new Uint8Array(await response.arrayBuffer()));
    expect((await reader.getRoots()).map(String)).toEqual([cid.toString()]);
    expect((await reader.get(cid))?.bytes).toEqual(bytes);
    expect(fake.requests.at(-1)).toEqual({ path: `/ipfs/${cid}`, accept: 'application/vnd.ipld.car' });
  });

  it('lets ?format=car take precedence over Accept', async () => {
    const response = await fetch(`${fake.url}/ipfs/${cid}?format=car`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(car);
  });

  it('answers 404 for a CID it does not hold, 400 without Accept or format, 406 for other types', async () => {
    const other = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1])));
    expect((await fetch(`${fake.url}/ipfs/${other}?format=car`)).status).toBe(404);
    expect((await fetch(`${fake.url}/ipfs/${cid}`, { headers: { accept: '' } })).status).toBe(400);
    expect((await fetch(`${fake.url}/ipfs/${cid}`, { headers: { accept: 'text/html' } })).status).toBe(406);
    expect((await fetch(`${fake.url}/ipfs/${cid}?format=raw`)).status).toBe(406);
    expect((await fetch(`${fake.url}/ipfs/${cid}`, { headers: { accept: 'application/vnd.ipld.car;q=0' } })).status).toBe(406);
    expect((await fetch(`${fake.url}/ipfs/not-a-cid?format=car`)).status).toBe(400);
  });
});
