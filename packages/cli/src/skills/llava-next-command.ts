import { visionLanguageCommand } from './llava-command.js';
import type { SkillCommand } from './skill-command.js';

/** `accel run llava-next --image a.png --image b.png "Compare them"`: LLaVA-Next, any-resolution images and a prompt to text. */
export const llavaNextCommand: SkillCommand = visionLanguageCommand('llava-next', '@accel/skill-llava-next', 'llavaNextSkill');
