export type { ChatMessage, GenerationOptions, StopReason, TextGenerationInput } from '@accel/transformers-kit';
export { gpt2InputSchema, gpt2OptionsSchema, gpt2OutputSchema, gpt2Skill, type Gpt2Options } from './gpt2-skill.js';
export type { TextGenerationOptions, TextGenerationOutput } from '@accel/transformers-kit';
