/** Options of the WebAssembly backend. They configure onnxruntime-web globally, at first use. */
export interface WasmBackendOptions {
  /**
   * WebAssembly threads. Default: onnxruntime-web's own choice (about half the cores, at most 4).
   * Forced to 1 where `SharedArrayBuffer` is unavailable (browsers without cross-origin isolation).
   */
  readonly threads?: number;
  /** Use the SIMD build when the platform supports it. Default true. */
  readonly simd?: boolean;
  /** Folder or URL prefix of onnxruntime-web's `.wasm` files, for bundlers and browsers that serve them elsewhere. */
  readonly wasmPaths?: string;
}
