export type { BackendV1, CreateSessionOptions } from './backend-v1.js';
export type { BackendProbe, DeviceInfo } from './backend-probe.js';
export { dtypes, isDtype, modelFileForDtype, type Dtype } from './dtype.js';
export type { InferenceSessionV1, SessionValueMetadata } from './inference-session-v1.js';
export type { TensorElementType, TensorLike } from './tensor-like.js';
