export type { CpuBackendOptions } from './cpu-backend-options.js';
export { createCpuBackend } from './create-cpu-backend.js';
