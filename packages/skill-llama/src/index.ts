export type { ChatMessage, GenerationOptions, StopReason, TextGenerationInput } from '@accel/transformers-kit';
export { llamaInputSchema, llamaOptionsSchema, llamaOutputSchema, llamaSkill, type LlamaOptions } from './llama-skill.js';
export type { TextGenerationOptions, TextGenerationOutput } from '@accel/transformers-kit';
