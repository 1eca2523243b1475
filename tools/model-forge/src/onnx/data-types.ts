export type TensorDataType = 'float32' | 'uint8' | 'int8' | 'int32' | 'int64' | 'bool' | 'float16';

/** A dimension: a fixed size, or a symbolic `dim_param` name such as `batch_size`. */
export type Dim = number | string;

interface DataTypeInfo {
  /** `TensorProto.DataType` enum value. */
  readonly onnx: number;
  readonly bytesPerElement: number;
}

const dataTypes: Record<TensorDataType, DataTypeInfo> = {
  float32: { onnx: 1, bytesPerElement: 4 },
  uint8: { onnx: 2, bytesPerElement: 1 },
  int8: { onnx: 3, bytesPerElement: 1 },
  int32: { onnx: 6, bytesPerElement: 4 },
  int64: { onnx: 7, bytesPerElement: 8 },
  bool: { onnx: 9, bytesPerElement: 1 },
  float16: { onnx: 10, bytesPerElement: 2 },
};

export function onnxDataType(dataType: TensorDataType): number {
  return dataTypes[dataType].onnx;
}

export function bytesPerElement(dataType: TensorDataType): number {
  return dataTypes[dataType].bytesPerElement;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}
