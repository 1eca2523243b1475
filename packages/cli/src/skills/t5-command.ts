import { InvalidInputError } from '@accel/core';
import { generationFlags, generationOptions } from './gpt2-command.js';
import type { SkillCommand } from './skill-command.js';

const { chat: _chat, system: _system, ...t5Flags } = generationFlags;

/**
 * `accel run t5 "translate English to German: the house is small"`: T5 text-to-text generation. The
 * positional arguments, joined by spaces, are the prompt with its task prefix; the generation flags
 * are those of every text-generation command. T5 has no chat template, so `--chat` is refused.
 */
export const t5Command: SkillCommand = {
  name: 't5',
  packageName: '@accel/skill-t5',
  exportName: 't5Skill',
  usage: 'accel run t5 "<task prefix>: <text>" [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--stop TEXT]… [--stream]',
  flags: t5Flags,
  streams: true,
  toRequest(positionals, flags) {
    if (positionals.length === 0) throw new InvalidInputError({ reason: 'accel run t5 needs a prompt, e.g. "translate English to German: the house is small"' });
    if (flags.chat === true || typeof flags.system === 'string') throw new InvalidInputError({ reason: 't5 has no chat template: --chat and --system do not apply' });
    return { input: positionals.join(' '), options: generationOptions(flags) };
  },
  formatOutput(output) {
    const { text, stopReason } = output as { text: string; stopReason: string };
    return `${text}\n[stopped: ${stopReason}]`;
  },
};
