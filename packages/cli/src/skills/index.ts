import type { SkillCommand } from './skill-command.js';
import { textEmbeddingCommand } from './text-embedding-command.js';

/** Every skill the CLI knows, in the order `accel --help` lists them. */
export const skillCommands: readonly SkillCommand[] = [
  textEmbeddingCommand('bert', '@accel/skill-bert', 'bertSkill'),
  textEmbeddingCommand('sentence-embeddings', '@accel/skill-sentence-embeddings', 'sentenceEmbeddingsSkill'),
];

export type { FlagValues, SkillCommand } from './skill-command.js';
