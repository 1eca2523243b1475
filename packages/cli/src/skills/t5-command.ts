import { formatStop, generationFlags, generationOptions, promptOf } from './gpt2-command.js';
import { inputFileFlags } from '../input-files.js';
import type { SkillCommand } from './skill-command.js';

const { chat: _chat, system: _system, ...t5Flags } = generationFlags;
const noChat = 't5 has no chat template: --chat and --system do not apply';

/**
 * `accel run t5 "translate English to German: the house is small"`: T5 text-to-text generation. The
 * positional arguments, joined by spaces, are the prompt with its task prefix; the generation flags
 * are those of every text-generation command. T5 has no chat template, so `--chat` is refused.
 */
export const t5Command: SkillCommand = {
  name: 't5',
  packageName: '@accel/skill-t5',
  exportName: 't5Skill',
  usage: 'accel run t5 "<task prefix>: <text>" | --input-file <path | -> [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--stop TEXT]… [--stream]',
  flags: { ...t5Flags, ...inputFileFlags },
  refusedFlags: { chat: noChat, system: noChat },
  streams: true,
  toRequest(positionals, flags) {
    const prompt = promptOf(positionals, flags, 't5', ', e.g. "translate English to German: the house is small"');
    return { input: prompt, options: generationOptions(flags) };
  },
  formatOutput(output, _positionals, _flags, provenance) {
    const { text, stopReason } = output as { text: string; stopReason: string };
    const tokens = provenance.timings.tokensGenerated;
    return `${text}\n${formatStop(stopReason, tokens)}`;
  },
};
