export type { CpuBackendOptions, CpuSpinning } from './cpu-backend-options.js';
export { cpuSessionOptions, createCpuBackend } from './create-cpu-backend.js';
