export type { ChatMessage, GenerationOptions, StopReason, TextGenerationInput } from '@accel/transformers-kit';
export type { ImageInput, RawPixels } from '@accel/core/media';
export { llavaSkill, type LlavaInput, type LlavaOptions, type LlavaOutput } from './llava-skill.js';
export { imagePlaceholder } from '@accel/transformers-kit';
