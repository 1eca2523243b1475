import type { SkillCommand } from './skill-command.js';
import { textEmbeddingCommand } from './text-embedding-command.js';
import { clipCommand } from './clip-command.js';
import { xclipCommand } from './xclip-command.js';
import { gpt2Command } from './gpt2-command.js';
import { llamaCommand } from './llama-command.js';
import { t5Command } from './t5-command.js';
import { llavaCommand } from './llava-command.js';
import { llavaNextCommand } from './llava-next-command.js';
import { whisperCommand } from './whisper-command.js';
import { clapCommand } from './clap-command.js';
import { wav2vec2Command } from './wav2vec2-command.js';

/** Every skill the CLI knows, in the order `accel --help` lists them. */
export const skillCommands: readonly SkillCommand[] = [
  textEmbeddingCommand('bert', '@accel/skill-bert', 'bertSkill'),
  textEmbeddingCommand('sentence-embeddings', '@accel/skill-sentence-embeddings', 'sentenceEmbeddingsSkill'),
  gpt2Command,
  llamaCommand,
  t5Command,
  llavaCommand,
  llavaNextCommand,
  clipCommand,
  xclipCommand,
  whisperCommand,
  clapCommand,
  wav2vec2Command,
];

export type { FlagValues, SkillCommand } from './skill-command.js';
