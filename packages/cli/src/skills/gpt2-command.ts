import { InvalidInputError } from '@accel/core';
import { inputFileFlags, inputFilePaths } from '../input-files.js';
import type { FlagValues, SkillCommand } from './skill-command.js';

// The generation flags and request building are shared by every text-generation command
// (gpt2, llama; t5 and llava can use them too): flags with the same name mean the same thing.
// Proposed to move to a text-generation-command.ts of its own.

/** Flags of text-generation commands: core's GenerationOptions, plus `--chat` (send the prompt as a user message, formatted with the model's chat template) and `--system`. */
export const generationFlags = {
  'max-new-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  'repetition-penalty': { type: 'string' },
  seed: { type: 'string' },
  stop: { type: 'string', multiple: true },
  chat: { type: 'boolean' },
  system: { type: 'string' },
} as const;

const numericOptions: ReadonlyArray<readonly [keyof typeof generationFlags, string]> = [
  ['max-new-tokens', 'maxNewTokens'],
  ['temperature', 'temperature'],
  ['top-k', 'topK'],
  ['top-p', 'topP'],
  ['repetition-penalty', 'repetitionPenalty'],
  ['seed', 'seed'],
];

/** GenerationOptions from the generation flags; ranges are checked by the skill, before any work. */
export function generationOptions(flags: FlagValues): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [flag, option] of numericOptions) {
    const text = flags[flag];
    if (typeof text !== 'string') continue;
    const number = Number(text);
    if (text.trim() === '' || !Number.isFinite(number)) throw new InvalidInputError({ reason: `--${flag} must be a number, got ${text}` });
    options[option] = number;
  }
  const stop = flags.stop;
  if (Array.isArray(stop) && stop.length > 0) options.stop = stop;
  return options;
}

/**
 * Why generation stopped, the same way for every generative command:
 * `[stopped: length after 8 tokens]` (`eos`, `stop-string`, `length`).
 */
export function formatStop(stopReason: string, tokenCount: number | undefined): string {
  return `[stopped: ${stopReason}${tokenCount === undefined ? '' : ` after ${tokenCount} token${tokenCount === 1 ? '' : 's'}`}]`;
}

/**
 * The prompt: the positional arguments joined by spaces, or the text of the one `--input-file`
 * (the caller has put it in `positionals`).
 */
export function promptOf(positionals: readonly string[], flags: FlagValues, name: string, example: string): string {
  if (inputFilePaths(flags).length > 1) throw new InvalidInputError({ reason: `accel run ${name} takes one prompt: give --input-file once` });
  if (positionals.length === 0) throw new InvalidInputError({ reason: `accel run ${name} needs a prompt${example}` });
  return positionals.join(' ');
}

/** The command of a text-generation skill: the positional arguments, joined by spaces, are the prompt (or, with `--chat`, the user message). */
export function textGenerationCommand(name: string, packageName: string, exportName: string): SkillCommand {
  return {
    name,
    packageName,
    exportName,
    usage: `accel run ${name} "<prompt>" | --input-file <path | -> [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--stop TEXT]… [--chat [--system TEXT]] [--stream]`,
    flags: { ...generationFlags, ...inputFileFlags },
    streams: true,
    toRequest(positionals, flags) {
      const prompt = promptOf(positionals, flags, name, '');
      const system = typeof flags.system === 'string' ? flags.system : undefined;
      if (system !== undefined && flags.chat !== true) throw new InvalidInputError({ reason: '--system needs --chat' });
      const input =
        flags.chat === true ? [...(system === undefined ? [] : [{ role: 'system', content: system }]), { role: 'user', content: prompt }] : prompt;
      return { input, options: generationOptions(flags) };
    },
    formatOutput(output) {
      const { text, tokens, stopReason } = output as { text: string; tokens: number[]; stopReason: string };
      return `${text}\n${formatStop(stopReason, tokens.length)}`;
    },
  };
}

/** `accel run gpt2 "<prompt>"`: GPT-2 family text generation. */
export const gpt2Command: SkillCommand = textGenerationCommand('gpt2', '@accel/skill-gpt2', 'gpt2Skill');
