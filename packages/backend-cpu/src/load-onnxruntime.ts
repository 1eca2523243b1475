import type * as OnnxRuntimeModule from 'onnxruntime-node';

type OnnxRuntime = typeof OnnxRuntimeModule;

let loading: Promise<OnnxRuntime> | undefined;

/** Imports onnxruntime-node once, on first use, so merely importing the backend loads no native code. */
export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  loading ??= import('onnxruntime-node').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
