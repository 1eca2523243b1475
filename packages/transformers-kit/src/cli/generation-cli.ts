import { InvalidInputError, type SkillCliCommand, type SkillCliFlagV1, type SkillCliV1 } from '@accel/core';
import type { TextGenerationInput } from '../generation/chat.js';
import type { TextGenerationOptions, TextGenerationOutput } from '../transformers/text-generation/text-generation-types.js';
import { formatStop } from './format-output.js';

/** The generation flags as usage lines show them (the flags themselves come from the options schema). */
export const generationUsage = '[--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--stop TEXT]…';

/** Input flags of skills whose models may have a chat template: they shape the input, not the options. */
export const chatFlags: Readonly<Record<'chat' | 'system', SkillCliFlagV1>> = {
  chat: { type: 'boolean', description: "send the prompt as a user message, formatted with the model's chat template" },
  system: { type: 'string', placeholder: '<text>', description: 'with --chat: a system message before the prompt' },
};

/**
 * The one prompt of a command line: the positional arguments joined by spaces, or the text of the
 * one `--input-file`. `example` ends the message for a missing prompt (`, e.g. "…"`).
 */
export function promptOf(command: SkillCliCommand, name: string, example = ''): string {
  if (command.inputFiles.length > 1) throw new InvalidInputError({ reason: `accel run ${name} takes one prompt: give --input-file once` });
  if (command.positionals.length === 0) throw new InvalidInputError({ reason: `accel run ${name} needs a prompt${example}` });
  return command.positionals.join(' ');
}

/** The prompt as given, or with `--chat` a user message (after the `--system` message, if any). */
export function chatInputOf(prompt: string, flags: SkillCliCommand['flags']): TextGenerationInput {
  const system = typeof flags.system === 'string' ? flags.system : undefined;
  if (system !== undefined && flags.chat !== true) throw new InvalidInputError({ reason: '--system needs --chat' });
  if (flags.chat !== true) return prompt;
  return [...(system === undefined ? [] : [{ role: 'system' as const, content: system }]), { role: 'user' as const, content: prompt }];
}

/**
 * The command line of a decoder-only text-generation skill: the positional arguments, joined by
 * spaces, are the prompt (or, with `--chat`, the user message); prints the text and why it stopped.
 */
export function textGenerationCli(name: string): SkillCliV1<TextGenerationInput, TextGenerationOptions, TextGenerationOutput> {
  return {
    usage: [`accel run ${name} "<prompt>" | --input-file <path | -> ${generationUsage} [--chat [--system TEXT]] [--stream]`],
    positionals: 'prompt…',
    flags: chatFlags,
    toRequest(command) {
      return { input: chatInputOf(promptOf(command, name), command.flags) };
    },
    format(output) {
      return `${output.text}\n${formatStop(output.stopReason, output.tokens.length)}`;
    },
  };
}
