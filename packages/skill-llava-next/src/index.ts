export type { ChatMessage, GenerationOptions, StopReason, TextGenerationInput } from '@accel/transformers-kit';
export type { ImageInput, RawPixels } from '@accel/core/media';
export { imagePlaceholder } from '@accel/transformers-kit';
export { anyResolutionLayout, fitWithin, selectBestResolution, unpaddedRange, type AnyResolutionGeometry, type AnyResolutionLayout, type Size } from './any-resolution.js';
export { llavaNextCli } from './llava-next-cli.js';
export { llavaNextInputSchema, llavaNextOptionsSchema, llavaNextOutputSchema, type LlavaNextInput, type LlavaNextOptions, type LlavaNextOutput } from './llava-next-schemas.js';
export { llavaNextSkill, type LlavaNextSkill } from './llava-next-skill.js';
