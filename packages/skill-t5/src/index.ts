export type { GenerationOptions, StopReason } from '@accel/transformers-kit';
export { t5Cli } from './t5-cli.js';
export type { T5Item } from './t5-prepare.js';
export { t5InputSchema, t5OptionsSchema, t5OutputSchema, type T5Input, type T5Options, type T5Output } from './t5-schemas.js';
export { t5Skill, type T5Skill } from './t5-skill.js';
