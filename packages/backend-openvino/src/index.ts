export { createOpenVinoBackend } from './create-openvino-backend.js';
export type { OpenVinoBackendOptions } from './openvino-backend-options.js';
