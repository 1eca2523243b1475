export { createWasmBackend } from './create-wasm-backend.js';
export type { WasmBackendOptions } from './wasm-backend-options.js';
