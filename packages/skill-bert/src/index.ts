export type { EmbeddingOutput, TextInput } from '@accel/transformers-kit';
export { bertSkill, type BertOptions } from './bert-skill.js';
