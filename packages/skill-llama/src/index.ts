export type { ChatMessage, GenerationOptions, StopReason, TextGenerationInput } from '@accel/core';
export { llamaSkill, type LlamaOptions } from './llama-skill.js';
export type { TextGenerationOptions, TextGenerationOutput } from '@accel/core';
