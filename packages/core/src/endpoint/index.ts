export type { AccelOptions, EndpointOptions } from './endpoint-options.js';
export type { EndpointState, EndpointStatus } from './endpoint-status.js';
