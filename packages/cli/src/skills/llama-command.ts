import type { SkillCommand } from './skill-command.js';
import { textGenerationCommand } from './gpt2-command.js';

/** `accel run llama "<prompt>"`: LLaMA and OPT family text generation; `--chat` sends the prompt as a user message. */
export const llamaCommand: SkillCommand = textGenerationCommand('llama', '@accel/skill-llama', 'llamaSkill');
