export type { GenerationOptions, StopReason } from '@accel/transformers-kit';
export { t5Skill, type T5Skill } from './t5-skill.js';
export type { T5Input, T5Item, T5Options, T5Output } from './t5-types.js';
