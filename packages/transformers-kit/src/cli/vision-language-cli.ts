import { InvalidInputError, type SkillCliV1 } from '@accel/core';
import type { VisionLanguageInput, VisionLanguageOptions, VisionLanguageOutput } from '../schemas/vision-language-schemas.js';
import { formatStop } from './format-output.js';
import { chatFlags, chatInputOf, generationUsage, promptOf } from './generation-cli.js';

/**
 * The command line of an image+text-to-text skill (`accel run llava --image x.png "What is in the
 * picture?"`): `--image` once per image; the positional arguments, joined by spaces, are the prompt
 * (`<image>` in it marks where each image goes), or with `--chat` the user message after
 * `--system`'s. The generation flags come from the skill's options schema. Prints the text, then
 * why generation stopped.
 */
export function visionLanguageCli(name: string): SkillCliV1<VisionLanguageInput, VisionLanguageOptions, VisionLanguageOutput> {
  return {
    usage: [`accel run ${name} --image <file> [--image <file>]… "<prompt>" | --input-file <path | -> ${generationUsage} [--chat [--system TEXT]] [--stream]`],
    positionals: 'prompt…',
    flags: {
      image: { type: 'string', multiple: true, placeholder: '<file>', description: 'an image file (repeatable, in the order of the <image> placeholders)' },
      ...chatFlags,
    },
    toRequest(command) {
      const images = (command.flags.image as readonly string[] | undefined) ?? [];
      if (images.length === 0) throw new InvalidInputError({ reason: `accel run ${name} needs at least one --image` });
      return { input: { images, prompt: chatInputOf(promptOf(command, name, ', e.g. "What is in the picture?"'), command.flags) } };
    },
    format(output) {
      return `${output.text}\n${formatStop(output.stopReason, output.tokens.length)}`;
    },
  };
}
