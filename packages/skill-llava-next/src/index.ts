export type { ChatMessage, GenerationOptions, StopReason, TextGenerationInput } from '@accel/transformers-kit';
export type { ImageInput, RawPixels } from '@accel/core/media';
export { anyResolutionLayout, fitWithin, selectBestResolution, unpaddedRange, type AnyResolutionGeometry, type AnyResolutionLayout, type Size } from './any-resolution.js';
export { llavaNextSkill, type LlavaNextInput, type LlavaNextOptions, type LlavaNextOutput } from './llava-next-skill.js';
export { imagePlaceholder } from '@accel/transformers-kit';
