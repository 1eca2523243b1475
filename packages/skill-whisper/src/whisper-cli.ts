import { InvalidInputError, type SkillCliCommand, type SkillCliV1 } from '@accel/core';
import { formatClock } from '@accel/transformers-kit';
import type { WhisperInput, WhisperOptions, WhisperOutput } from './whisper-schemas.js';

/** The audio files of a command line: the positional arguments, then `--audio`. */
function audioFiles({ positionals, flags }: SkillCliCommand): string[] {
  return [...positionals, ...(typeof flags.audio === 'string' ? [flags.audio] : [])];
}

/**
 * `accel run whisper talk.mp3`: speech to text. Each positional argument (and `--audio`) is one
 * audio file; `--language` and `--task transcribe|translate` steer multilingual models;
 * `--timestamps` prints the segments with their times.
 */
export const whisperCli: SkillCliV1<WhisperInput, WhisperOptions, WhisperOutput> = {
  usage: ['accel run whisper <audio file>… [--language fr] [--task transcribe|translate] [--timestamps] [--prompt TEXT] [--max-new-tokens N] [--temperature T] [--seed S]'],
  positionals: 'audio files…',
  textInputFiles: false,
  flags: {
    audio: { type: 'string', placeholder: '<file>', description: 'an audio file (after the positional ones)' },
    timestamps: { type: 'boolean', description: 'print the segments with their times (the returnTimestamps option)' },
  },
  toRequest(command) {
    const files = audioFiles(command);
    if (files.length === 0) throw new InvalidInputError({ reason: 'accel run whisper needs an audio file, e.g. accel run whisper talk.mp3' });
    return { input: files.length === 1 ? files[0]! : files, ...(command.flags.timestamps === true ? { options: { returnTimestamps: true } } : {}) };
  },
  format(output, command) {
    const files = audioFiles(command);
    return output.transcripts
      .map((transcript, index) => {
        const facts = [
          `${transcript.duration.toFixed(2)} s`,
          `${transcript.windows} window${transcript.windows === 1 ? '' : 's'}`,
          ...(transcript.language === undefined ? [] : [`${transcript.language}, ${transcript.task ?? 'transcribe'}`]),
        ];
        const lines = [`${files[index] ?? `audio ${index + 1}`} (${facts.join(', ')}):`, transcript.text.length > 0 ? transcript.text : '(no speech)'];
        for (const chunk of transcript.chunks ?? []) lines.push(`  [${formatClock(chunk.start)} → ${formatClock(chunk.end)}] ${chunk.text}`);
        return lines.join('\n');
      })
      .join('\n\n');
  },
};
