import type { DeferredBytes } from './protobuf.js';
import { SeededRandom } from './random.js';

/** Tensor contents, produced on demand when the file is written. */
export type TensorData = DeferredBytes;

/** `count` float32 values uniform in (-bound, bound), from a PRNG seeded with `seed`. */
export function uniformFloat32(seed: string, count: number, bound: number): TensorData {
  return {
    byteLength: count * 4,
    fingerprint: `uniform-float32:${JSON.stringify(seed)}:${count}:${bound}`,
    produce: () => {
      const random = new SeededRandom(seed);
      const values = new Float32Array(count);
      for (let index = 0; index < count; index += 1) {
        values[index] = random.nextSigned() * bound;
      }
      return littleEndianBytes(values);
    },
  };
}

export function filledFloat32(count: number, value: number): TensorData {
  return {
    byteLength: count * 4,
    fingerprint: `filled-float32:${count}:${value}`,
    produce: () => littleEndianBytes(new Float32Array(count).fill(value)),
  };
}

export function float32Values(values: readonly number[]): TensorData {
  return fixedBytes('float32', littleEndianBytes(Float32Array.from(values)));
}

export function int64Values(values: readonly (number | bigint)[]): TensorData {
  return fixedBytes('int64', littleEndianBytes(BigInt64Array.from(values, (value) => BigInt(value))));
}

export function int32Values(values: readonly number[]): TensorData {
  return fixedBytes('int32', littleEndianBytes(Int32Array.from(values)));
}

export function int8Values(values: readonly number[]): TensorData {
  return fixedBytes('int8', littleEndianBytes(Int8Array.from(values)));
}

export function uint8Values(values: readonly number[]): TensorData {
  return fixedBytes('uint8', Uint8Array.from(values));
}

export function boolValues(values: readonly boolean[]): TensorData {
  return fixedBytes('bool', Uint8Array.from(values, (value) => (value ? 1 : 0)));
}

function fixedBytes(kind: string, bytes: Uint8Array): TensorData {
  return {
    byteLength: bytes.length,
    fingerprint: `${kind}:${Buffer.from(bytes).toString('base64')}`,
    produce: () => bytes,
  };
}

/** The transpose of a row-major float32 matrix [rows, columns] held by `source`. */
export function transposedFloat32(source: TensorData, rows: number, columns: number): TensorData {
  return {
    byteLength: source.byteLength,
    fingerprint: `transposed-float32:${rows}x${columns}(${source.fingerprint})`,
    produce: () => {
      const values = float32View(source.produce());
      const transposed = new Float32Array(rows * columns);
      for (let row = 0; row < rows; row += 1) {
        for (let column = 0; column < columns; column += 1) {
          transposed[column * rows + row] = values[row * columns + column]!;
        }
      }
      return littleEndianBytes(transposed);
    },
  };
}

/** Reads little-endian float32 bytes (copying them if they are not 4-byte aligned). */
export function float32View(bytes: Uint8Array): Float32Array {
  if (!hostIsLittleEndian) throw new Error('model-forge needs a little-endian host');
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
}

/** ONNX raw_data is little-endian, which typed arrays are on every host Node.js supports but s390x. */
function littleEndianBytes(values: Float32Array | Int32Array | Int8Array | BigInt64Array): Uint8Array {
  if (!hostIsLittleEndian) throw new Error('model-forge needs a little-endian host');
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
