export type { CudaBackendOptions } from './cuda-backend-options.js';
export { createCudaBackend } from './create-cuda-backend.js';
