import { describe, expect, it } from 'vitest';
import { ProtoMessage, encodeVarint } from '../src/onnx/protobuf.js';
import { readFields } from './helpers/onnx-reader.js';

describe('protobuf wire encoding', () => {
  it('encodes varints, negative int64 as ten bytes', () => {
    expect(encodeVarint(0)).toEqual([0]);
    expect(encodeVarint(1)).toEqual([1]);
    expect(encodeVarint(300)).toEqual([0xac, 0x02]);
    expect(encodeVarint(2 ** 40)).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expect(encodeVarint(-1)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => encodeVarint(0.5)).toThrow(RangeError);
  });

  it('length-prefixes nested messages and deferred bytes without producing them', () => {
    let produced = 0;
    const deferred = { byteLength: 3, fingerprint: 'abc', produce: () => (produced += 1, Uint8Array.of(7, 8, 9)) };
    const inner = new ProtoMessage().varint(1, 150).deferred(2, deferred);
    const outer = new ProtoMessage().string(1, 'hi').message(2, inner).float(3, 1.5);
    expect(outer.byteLength).toBe(4 + 2 + inner.byteLength + 5);
    expect(produced).toBe(0);
    const bytes = new Uint8Array(Buffer.concat(outer.chunks.map((chunk) => (chunk instanceof Uint8Array ? chunk : chunk.produce()))));
    expect(bytes.length).toBe(outer.byteLength);
    const [name, nested, number] = readFields(bytes);
    expect(Buffer.from(name!.bytes!).toString()).toBe('hi');
    expect(readFields(nested!.bytes!)).toEqual([
      { number: 1, varint: 150n },
      { number: 2, bytes: Uint8Array.of(7, 8, 9) },
    ]);
    expect(Buffer.from(number!.bytes!).readFloatLE()).toBe(1.5);
  });
});
