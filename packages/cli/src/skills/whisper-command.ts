import { InvalidInputError } from '@accel/core';
import { generationFlags, generationOptions } from './gpt2-command.js';
import type { FlagValues, SkillCommand } from './skill-command.js';

const { stop: _stop, chat: _chat, system: _system, ...whisperGenerationFlags } = generationFlags;

/** `--audio` (one more file), `--language`, `--task`, `--timestamps`, and the generation flags without `--stop`, `--chat`, `--system`. */
export const whisperFlags = {
  audio: { type: 'string' },
  language: { type: 'string' },
  task: { type: 'string' },
  timestamps: { type: 'boolean' },
  ...whisperGenerationFlags,
} as const;

interface TranscriptOutput {
  readonly transcripts: ReadonlyArray<{
    readonly text: string;
    readonly chunks?: ReadonlyArray<{ readonly text: string; readonly start: number; readonly end: number }>;
    readonly duration: number;
    readonly windows: number;
    readonly language?: string;
    readonly task?: string;
  }>;
}

function audioFiles(positionals: readonly string[], flags: FlagValues): string[] {
  return [...positionals, ...(typeof flags.audio === 'string' ? [flags.audio] : [])];
}

/** Seconds as `mm:ss.ss` (`h:mm:ss.ss` from an hour on). */
function clock(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = (seconds % 60).toFixed(2).padStart(5, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${String(minutes).padStart(2, '0')}:${rest}`;
}

/**
 * `accel run whisper talk.mp3`: speech to text. Each positional argument (and `--audio`) is one
 * audio file; `--language` and `--task transcribe|translate` steer multilingual models;
 * `--timestamps` prints the segments with their times.
 */
export const whisperCommand: SkillCommand = {
  name: 'whisper',
  packageName: '@accel/skill-whisper',
  exportName: 'whisperSkill',
  usage: 'accel run whisper <audio file>… [--language fr] [--task transcribe|translate] [--timestamps] [--max-new-tokens N] [--temperature T] [--seed S]',
  flags: whisperFlags,
  refusedFlags: {
    stop: 'whisper takes no --stop: limit each 30-second window with --max-new-tokens',
    chat: 'whisper has no chat template: --chat and --system do not apply',
    system: 'whisper has no chat template: --chat and --system do not apply',
  },
  toRequest(positionals, flags) {
    const files = audioFiles(positionals, flags);
    if (files.length === 0) throw new InvalidInputError({ reason: 'accel run whisper needs an audio file, e.g. accel run whisper talk.mp3' });
    const options: Record<string, unknown> = { ...generationOptions(flags) };
    if (typeof flags.language === 'string') options.language = flags.language;
    if (typeof flags.task === 'string') options.task = flags.task;
    if (flags.timestamps === true) options.returnTimestamps = true;
    return { input: files.length === 1 ? files[0] : files, options };
  },
  formatOutput(output, positionals, flags) {
    const files = audioFiles(positionals, flags);
    return (output as TranscriptOutput).transcripts
      .map((transcript, index) => {
        const facts = [
          `${transcript.duration.toFixed(2)} s`,
          `${transcript.windows} window${transcript.windows === 1 ? '' : 's'}`,
          ...(transcript.language === undefined ? [] : [`${transcript.language}, ${transcript.task ?? 'transcribe'}`]),
        ];
        const lines = [`${files[index] ?? `audio ${index + 1}`} (${facts.join(', ')}):`, transcript.text.length > 0 ? transcript.text : '(no speech)'];
        for (const chunk of transcript.chunks ?? []) lines.push(`  [${clock(chunk.start)} → ${clock(chunk.end)}] ${chunk.text}`);
        return lines.join('\n');
      })
      .join('\n\n');
  },
};
