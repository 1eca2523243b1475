import { InvalidInputError } from '@accel/core';
import { formatStop, generationFlags, generationOptions } from './gpt2-command.js';
import type { FlagValues, SkillCommand } from './skill-command.js';

/** `--image`: a repeatable string flag, one image file per use, in order. */
export const imageFlags = { image: { type: 'string', multiple: true } } as const;

function imagesOf(flags: FlagValues, name: string): string[] {
  const images = flags.image;
  if (!Array.isArray(images) || images.length === 0) throw new InvalidInputError({ reason: `accel run ${name} needs at least one --image` });
  return images.map(String);
}

/**
 * The command of a vision-language skill: `--image` once per image, the positional arguments
 * (joined by spaces) are the prompt; `<image>` in it marks where each image goes. The
 * text-generation flags mean what they mean for gpt2 and llama.
 */
export function visionLanguageCommand(name: string, packageName: string, exportName: string): SkillCommand {
  return {
    name,
    packageName,
    exportName,
    usage: `accel run ${name} --image <file> [--image <file>]… "<prompt>" [--max-new-tokens N] [--temperature T] [--seed S] [--stop TEXT]… [--system TEXT --chat] [--stream]`,
    flags: { ...generationFlags, ...imageFlags },
    streams: true,
    toRequest(positionals, flags) {
      const images = imagesOf(flags, name);
      if (positionals.length === 0) throw new InvalidInputError({ reason: `accel run ${name} needs a prompt, e.g. "What is in the picture?"` });
      const text = positionals.join(' ');
      const system = typeof flags.system === 'string' ? flags.system : undefined;
      if (system !== undefined && flags.chat !== true) throw new InvalidInputError({ reason: '--system needs --chat' });
      const prompt = flags.chat === true ? [...(system === undefined ? [] : [{ role: 'system', content: system }]), { role: 'user', content: text }] : text;
      return { input: { images, prompt }, options: generationOptions(flags) };
    },
    formatOutput(output) {
      const { text, tokens, stopReason } = output as { text: string; tokens: number[]; stopReason: string };
      return `${text}\n${formatStop(stopReason, tokens.length)}`;
    },
  };
}

/** `accel run llava --image x.png "What is in the picture?"`: LLaVA, images and a prompt to text. */
export const llavaCommand: SkillCommand = visionLanguageCommand('llava', '@accel/skill-llava', 'llavaSkill');
