/**
 * onnxruntime-web as this platform needs it: in Node its `node` build. Bundlers that follow the
 * package's `browser` field use `load-onnxruntime.browser.js`, which takes the WebAssembly-only
 * build (`onnxruntime-web/wasm`): the backend runs the `wasm` execution provider only, so a page
 * need not serve the WebGPU (JSEP) binaries.
 */
export const importOnnxRuntime = () => import('onnxruntime-web');
