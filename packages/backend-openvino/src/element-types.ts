import type { OpenVinoTypedArray } from './openvino-api.js';

type TypedArrayConstructor = { new (length: number): OpenVinoTypedArray; from(source: ArrayLike<never>): OpenVinoTypedArray };

/** openvino-node's tensor element types (every one it can construct or read) and their onnxruntime names. */
export const onnxTypeOfElement: Readonly<Record<string, string>> = {
  f32: 'float32',
  f64: 'float64',
  i8: 'int8',
  u8: 'uint8',
  i16: 'int16',
  u16: 'uint16',
  i32: 'int32',
  u32: 'uint32',
  i64: 'int64',
  u64: 'uint64',
  string: 'string',
};

export const elementOfOnnxType: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(onnxTypeOfElement).map(([element, onnxType]) => [onnxType, element]),
);

export const typedArrayOfElement: Readonly<Record<string, TypedArrayConstructor>> = {
  f32: Float32Array,
  f64: Float64Array,
  i8: Int8Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  i64: BigInt64Array as unknown as TypedArrayConstructor,
  u64: BigUint64Array as unknown as TypedArrayConstructor,
};

/** Model element types openvino-node has no JS tensor for, and the type they cross the boundary as. */
export const boundaryElementOf: Readonly<Record<string, string>> = {
  boolean: 'u8',
  f16: 'f32',
  bf16: 'f32',
};
