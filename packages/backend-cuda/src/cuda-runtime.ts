import type * as OnnxRuntime from 'onnxruntime-node';

/** The parts of onnxruntime-node the CUDA backend uses (tests stand in a simulated runtime). */
export type CudaRuntime = Pick<typeof OnnxRuntime, 'InferenceSession' | 'Tensor' | 'env' | 'listSupportedBackends'>;
