export * from './backend/v1/index.js';
export * from './endpoint/index.js';
export * from './errors/index.js';
export * from './model-source/index.js';
/** The load context the registry gives a skill; public for `@accel/testkit`'s `createTestLoadContext`. */
export { createLoadContext, type LoadContextOptions, type TrackedLoadContext } from './model-source/create-load-context.js';
export type { FallbackStep, InferResult, Provenance, ProvenanceNote, ProvenanceTimings, TokenUsage } from './provenance/provenance.js';
export { Accel, createAccel, type ModelsApi } from './registry/accel.js';
export { autoReplicaMaxWeightBytes } from './registry/auto-replicas.js';
export type { InferCallOptions } from './registry/infer-options.js';
export type { InferStream } from './registry/text-channel.js';
export { BatchQueue, type BatchQueueOptions, type QueuedRequestResult, type QueueTicket } from './scheduler/batch-queue.js';
export * from './skill/v1/index.js';
export { adaptRuntimeSession, type RuntimeSession, type RuntimeTensorConstructor } from './backend/runtime/adapt-runtime-session.js';
export { classifyRuntimeError } from './backend/runtime/classify-runtime-error.js';
export { disableOnnxRuntimeTelemetry } from './backend/runtime/disable-onnxruntime-telemetry.js';
export { memoizeAsync } from './backend/runtime/memoize-async.js';
export type { BackendSource, ModuleExport } from './worker/module-export.js';
export { itemInputError } from './skill/item-input-error.js';
/** Typed errors as plain data and back, to cross a process or machine boundary (`@accel/cluster`). */
export { deserializeError, serializeError, type SerializedError } from './worker/serialize-error.js';
