/**
 * A 105-byte ONNX model, `y = Add(x, x)` on float32 [3], that the probe runs on each GPU to confirm
 * the CUDA provider really works. Written by @accel/model-forge (GraphBuilder → createModel →
 * encodeModel); test/cuda-check-model.test.ts checks that it still equals the forge's output.
 */
const cudaCheckModelBase64 =
  'CAgSEkBhY2NlbC9tb2RlbC1mb3JnZRoFMC4xLjA6RAoUCgF4CgF4EgF5GgQvQWRkIgNBZGQSCmN1ZGFfY2hlY2taDwoBeBIKCggIARIECgIIA2IPCgF5EgoKCAgBEgQKAggDQgQKABAR';

export function cudaCheckModel(): Uint8Array {
  return Uint8Array.from(Buffer.from(cudaCheckModelBase64, 'base64'));
}

export const cudaCheckInput = { name: 'x', values: [1, 2, 3] } as const;
export const cudaCheckOutput = { name: 'y', values: [2, 4, 6] } as const;
