/**
 * Bytes that are only produced when a file is written, so that a message's size can be
 * known (and length prefixes computed) long before its bulk data exists in memory.
 */
export interface DeferredBytes {
  readonly byteLength: number;
  /** Stable description of the bytes, used to fingerprint output without producing it. */
  readonly fingerprint: string;
  produce(): Uint8Array;
}

export type Chunk = Uint8Array | DeferredBytes;

const enum WireType {
  Varint = 0,
  LengthDelimited = 2,
  Fixed32 = 5,
}

const textEncoder = new TextEncoder();
const float32Scratch = new DataView(new ArrayBuffer(4));

/**
 * An encoded protobuf message as a list of chunks. Small scalar fields accumulate in a pending
 * byte list; nested messages and deferred bytes are appended as whole chunks.
 */
export class ProtoMessage {
  private readonly chunkList: Chunk[] = [];
  private pending: number[] = [];
  private chunkBytes = 0;

  get byteLength(): number {
    return this.chunkBytes + this.pending.length;
  }

  get chunks(): readonly Chunk[] {
    this.flush();
    return this.chunkList;
  }

  varint(field: number, value: number | bigint): this {
    this.tag(field, WireType.Varint);
    this.rawVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WireType.Fixed32);
    float32Scratch.setFloat32(0, value, true);
    for (let index = 0; index < 4; index += 1) {
      this.pending.push(float32Scratch.getUint8(index));
    }
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(value.length);
    for (const byte of value) {
      this.pending.push(byte);
    }
    return this;
  }

  message(field: number, message: ProtoMessage): this {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(message.byteLength);
    this.append(message.chunks);
    return this;
  }

  deferred(field: number, data: DeferredBytes): this {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(data.byteLength);
    this.append([data]);
    return this;
  }

  private append(chunks: readonly Chunk[]): void {
    this.flush();
    for (const chunk of chunks) {
      this.chunkList.push(chunk);
      this.chunkBytes += chunk.byteLength;
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunkList.push(Uint8Array.from(this.pending));
    this.chunkBytes += this.pending.length;
    this.pending = [];
  }

  private tag(field: number, wireType: WireType): void {
    this.rawVarint(field * 8 + wireType);
  }

  private rawVarint(value: number | bigint): void {
    this.pending.push(...encodeVarint(value));
  }
}

/** Base-128 varint; negative values are encoded as 64-bit two's complement (10 bytes), as for int64. */
export function encodeVarint(value: number | bigint): number[] {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`Cannot encode ${value} as a varint: not a safe integer`);
  }
  let remaining = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (remaining >= 0x80n) {
    bytes.push(Number(remaining & 0x7fn) | 0x80);
    remaining >>= 7n;
  }
  bytes.push(Number(remaining));
  return bytes;
}
