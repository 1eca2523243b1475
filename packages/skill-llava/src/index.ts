export type { ChatMessage, GenerationOptions, StopReason, TextGenerationInput } from '@accel/transformers-kit';
export type { ImageInput, RawPixels } from '@accel/core/media';
export { imagePlaceholder } from '@accel/transformers-kit';
export { llavaCli } from './llava-cli.js';
export { llavaInputSchema, llavaOptionsSchema, llavaOutputSchema, type LlavaInput, type LlavaOptions, type LlavaOutput } from './llava-schemas.js';
export { llavaSkill, type LlavaSkill } from './llava-skill.js';
