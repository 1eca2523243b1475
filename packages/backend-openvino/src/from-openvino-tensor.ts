import { UnsupportedError, type TensorLike } from '@accel/core';
import { onnxTypeOfElement } from './element-types.js';
import type { OpenVinoTensor } from './openvino-api.js';
import type { OnnxTensorClass } from './onnx-tensor.js';
import type { PortPlan } from './port-plan.js';

/** Converts one `ov.Tensor` output to an onnxruntime `Tensor` (its data is already a copy). */
export function fromOpenVinoTensor(TensorClass: OnnxTensorClass, name: string, tensor: OpenVinoTensor, port: PortPlan | undefined): TensorLike {
  const element = tensor.getElementType();
  const dims = tensor.getShape();
  const onnxType = port?.modelElement === 'boolean' && element === 'u8' ? 'bool' : onnxTypeOfElement[element];
  if (onnxType === undefined) {
    throw new UnsupportedError({ feature: `output element type ${element} on backend openvino`, message: `output ${name} has element type ${element}, which openvino-node cannot return to JavaScript` });
  }
  return new TensorClass(onnxType as never, tensor.data as never, dims);
}
