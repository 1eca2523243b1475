/** Element types a session may exchange, named as onnxruntime names them. */
export type TensorElementType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

/**
 * The minimal tensor shape sessions accept and return.
 *
 * onnxruntime's `Tensor` satisfies it, so sessions may return runtime tensors unchanged;
 * skills build inputs as plain objects of this shape.
 */
export interface TensorLike {
  readonly type: TensorElementType | string;
  readonly dims: readonly number[];
  readonly data:
    | Float32Array
    | Float64Array
    | Int8Array
    | Uint8Array
    | Int16Array
    | Uint16Array
    | Int32Array
    | Uint32Array
    | BigInt64Array
    | BigUint64Array
    | string[]
    | ArrayLike<unknown>;
}
