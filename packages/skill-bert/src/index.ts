export type { EmbeddingOutput, TextInput } from '@accel/core';
export { bertSkill, type BertOptions } from './bert-skill.js';
