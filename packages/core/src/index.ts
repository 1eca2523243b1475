export * from './backend/v1/index.js';
export * from './endpoint/index.js';
export * from './errors/index.js';
export * from './model-source/index.js';
/** The load context the registry gives a skill; public for `@accel/testkit`'s `createTestLoadContext`. */
export { createLoadContext, type LoadContextOptions, type TrackedLoadContext } from './model-source/create-load-context.js';
export type { FallbackStep, InferResult, Provenance, ProvenanceNote, ProvenanceTimings } from './provenance/provenance.js';
export { Accel, createAccel } from './registry/accel.js';
export type { InferCallOptions } from './registry/infer-options.js';
export type { InferStream } from './registry/text-channel.js';
export { BatchQueue, type BatchQueueOptions, type QueuedRequestResult, type QueueTicket } from './scheduler/batch-queue.js';
export * from './skill/v1/index.js';
export { clsPool, cosineSimilarity, l2Normalize, meanPool, softmax, type HiddenStates } from './math/vector.js';
export { prepareTextInput } from './text/prepare-text-input.js';
export { buildTokenFeeds, truncateKeepingLast } from './text/token-feeds.js';
export { loadTextEmbeddingModel, type TextEmbeddingItem, type TextPooling } from './text/text-embedding-model.js';
export type { TextTokenizer } from './text/text-tokenizer.js';
export {
  defineTextEmbeddingSkill,
  type EmbeddingOutput,
  type TextEmbeddingOptions,
  type TextEmbeddingSkill,
  type TextEmbeddingSkillDefinition,
  type TextInput,
} from './text/text-embedding-skill.js';
export { loadTokenizer } from './transformers/load-tokenizer.js';
export { loadTextTokenizer } from './transformers/load-text-tokenizer.js';
export { loadTransformers, loadTransformersBuild, type LoadedTransformers, type TransformersModule, type TransformersTensorClass } from './transformers/load-transformers.js';
export type { TransformersImageProcessor, TransformersTokenizer, TransformersTypes } from './transformers/transformers-types.js';
export { adaptRuntimeSession, type RuntimeSession, type RuntimeTensorConstructor } from './backend/runtime/adapt-runtime-session.js';
export { classifyRuntimeError } from './backend/runtime/classify-runtime-error.js';
export { disableOnnxRuntimeTelemetry } from './backend/runtime/disable-onnxruntime-telemetry.js';
export { memoizeAsync } from './backend/runtime/memoize-async.js';
export * from './generation/index.js';
export type { BackendSource, ModuleExport } from './worker/module-export.js';
export { generateRows, type GenerateRowsOptions, type GeneratedRow, type GenerationModel, type GenerationRow, type GenerationTokenizer } from './transformers/generate-rows.js';
export { defineTextGenerationSkill, type TextGenerationSkill, type TextGenerationSkillDefinition } from './transformers/text-generation/define-text-generation-skill.js';
export type { TextGenerationItem, TextGenerationOptions, TextGenerationOutput } from './transformers/text-generation/text-generation-types.js';
export { encodePrompt, type PromptTokenizer } from './transformers/text-generation/encode-prompt.js';
export { planGenerationBatches, type PlannedRow } from './transformers/text-generation/generation-batches.js';
export * from './transformers/vision-language/index.js';
export { itemInputError } from './skill/item-input-error.js';
export { createPixelValuesReader, type PixelValues } from './transformers/pixel-values.js';
