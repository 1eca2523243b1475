export type { EmbeddingOutput, TextInput } from '@accel/transformers-kit';
export { bertInputSchema, bertOptionsSchema, bertOutputSchema, bertSkill, type BertOptions } from './bert-skill.js';
