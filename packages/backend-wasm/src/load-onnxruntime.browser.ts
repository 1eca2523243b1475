/** The browser build of `load-onnxruntime.js`: onnxruntime-web's WebAssembly-only build. */
export const importOnnxRuntime = () => import('onnxruntime-web/wasm');
