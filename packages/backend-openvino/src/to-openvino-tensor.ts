import { InvalidInputError, UnsupportedError, type TensorLike } from '@accel/core';
import { elementOfOnnxType, typedArrayOfElement } from './element-types.js';
import { float16ToFloat32 } from './float16.js';
import type { OpenVinoAddon, OpenVinoTensor, OpenVinoTypedArray } from './openvino-api.js';
import type { PortPlan } from './port-plan.js';

const supportedTypes = ['bool', 'float16 (for f16/bf16 model inputs)', ...Object.keys(elementOfOnnxType)].join(', ');

function validDims(name: string, dims: unknown): number[] {
  if (!Array.isArray(dims) || !dims.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    throw new InvalidInputError({ reason: `input ${name} has invalid dims ${JSON.stringify(dims)}` });
  }
  return [...(dims as number[])];
}

function dimensionAccepts(expected: number | string, actual: number): boolean {
  if (typeof expected === 'number') return expected === actual;
  const bounds = /^(\d+)\.\.(\d*)$/.exec(expected);
  if (bounds === null) return true;
  return actual >= Number(bounds[1]) && (bounds[2] === '' || actual <= Number(bounds[2]));
}

/** Checked here because a shape OpenVINO rejects inside inferAsync can end the process in older openvino-node versions. */
function checkShape(name: string, dims: readonly number[], port: PortPlan | undefined): void {
  const expected = port?.shape;
  if (expected === undefined) return;
  if (expected.length !== dims.length || !expected.every((dimension, index) => dimensionAccepts(dimension, dims[index] as number))) {
    throw new InvalidInputError({ reason: `input ${name} has dims ${JSON.stringify(dims)} but the model expects [${expected.join(', ')}]` });
  }
}

/** The element type and data a feed crosses the boundary as. */
function boundaryData(name: string, tensor: TensorLike, port: PortPlan | undefined): { element: string; data: ArrayLike<unknown> } {
  const { type, data } = tensor;
  if (type === 'bool') return { element: 'u8', data: data instanceof Uint8Array ? data : Uint8Array.from(data as ArrayLike<unknown>, (value) => (value ? 1 : 0)) };
  if (type === 'float16') {
    if (port?.modelElement === 'f16' || port?.modelElement === 'bf16') return { element: 'f32', data: float16ToFloat32(data) };
    throw new UnsupportedError({
      feature: `float16 tensor for input ${name}`,
      message: `input ${name} is a float16 tensor: openvino-node has no f16 tensor type, and this input is ${port?.onnxType ?? 'of unknown type'}; pass ${port?.onnxType ?? 'float32'}`,
    });
  }
  const element = elementOfOnnxType[type];
  if (element === undefined) {
    throw new UnsupportedError({ feature: `tensor type ${type} on backend openvino`, message: `input ${name} has tensor type ${type}, which openvino-node cannot pass (supported: ${supportedTypes})` });
  }
  return { element, data };
}

function toTypedArray(element: string, data: ArrayLike<unknown>): OpenVinoTypedArray {
  const ArrayType = typedArrayOfElement[element];
  if (ArrayType === undefined) throw new UnsupportedError({ feature: `element type ${element} on backend openvino` });
  let array: OpenVinoTypedArray;
  if (data instanceof ArrayType) array = data as OpenVinoTypedArray;
  else if (element === 'i64' || element === 'u64') array = ArrayType.from(Array.from(data, (value) => BigInt(value as number | bigint)) as never);
  else array = ArrayType.from(data as never);
  // openvino-node wraps the typed array's whole ArrayBuffer and requires byteOffset 0, so views are copied.
  return array.byteOffset === 0 && array.byteLength === array.buffer.byteLength ? array : (array.slice() as OpenVinoTypedArray);
}

/** Converts one accel/onnxruntime feed to an `ov.Tensor` for the given model input. */
export function toOpenVinoTensor(addon: OpenVinoAddon, name: string, tensor: TensorLike, port: PortPlan | undefined): OpenVinoTensor {
  const dims = validDims(name, tensor.dims);
  const count = dims.reduce((product, dim) => product * dim, 1);
  checkShape(name, dims, port);
  if (port?.onnxType !== undefined && tensor.type !== port.onnxType && !(tensor.type === 'float16' && port.onnxType === 'float32')) {
    throw new InvalidInputError({ reason: `input ${name} expects ${port.onnxType} tensors, got ${tensor.type}` });
  }
  if (tensor.data === null || typeof tensor.data !== 'object' || typeof tensor.data.length !== 'number') {
    throw new InvalidInputError({ reason: `input ${name} has no data array` });
  }
  if (tensor.data.length !== count) {
    throw new InvalidInputError({ reason: `input ${name} has ${tensor.data.length} elements but dims ${JSON.stringify(dims)} need ${count}` });
  }
  if (tensor.type === 'string') return toStringTensor(addon, name, tensor.data, dims);
  const { element, data } = boundaryData(name, tensor, port);
  if (count === 0) return new addon.Tensor(element, dims);
  return new addon.Tensor(element, dims, toTypedArray(element, data));
}

function toStringTensor(addon: OpenVinoAddon, name: string, data: ArrayLike<unknown>, dims: number[]): OpenVinoTensor {
  const strings = Array.from(data, (value) => {
    if (typeof value !== 'string') throw new InvalidInputError({ reason: `input ${name} is a string tensor with a non-string element` });
    return value;
  });
  const tensor = new addon.Tensor(strings);
  if (dims.length === 1) return tensor;
  if (tensor.setShape === undefined) {
    throw new UnsupportedError({ feature: `string tensor of rank ${dims.length}`, message: `input ${name}: this openvino-node builds 1-D string tensors only (Tensor.setShape is missing; 2026.4.0 has it)` });
  }
  tensor.setShape(dims);
  return tensor;
}
