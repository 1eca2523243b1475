/**
 * Weight precisions, named as transformers.js names them. Each selects a model file:
 * `fp32` → `onnx/model.onnx`, `fp16` → `onnx/model_fp16.onnx`, `q8` → `onnx/model_quantized.onnx`, …
 */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

export const dtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'];

const fileSuffixes: Record<Dtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && value in fileSuffixes;
}

/** The model file a dtype selects, relative to the model folder: `onnx/<name><suffix>.onnx`. */
export function modelFileForDtype(sessionName: string, dtype: Dtype): string {
  return `onnx/${sessionName}${fileSuffixes[dtype]}.onnx`;
}
