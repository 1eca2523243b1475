import { InvalidInputError } from '@accel/core';
import { formatVector } from './clip-command.js';
import type { FlagValues, SkillCommand } from './skill-command.js';

/** `--audio` (one more file), `--task transcribe|embed`, `--timestamps`: the same flags as whisper. */
export const wav2vec2Flags = {
  audio: { type: 'string' },
  task: { type: 'string' },
  timestamps: { type: 'boolean' },
} as const;

type Wav2Vec2CommandOutput =
  | {
      task: 'transcribe';
      transcriptions: Array<{ text: string; duration: number; chunks: number; words?: Array<{ text: string; start: number; end: number }> }>;
    }
  | { task: 'embed'; embeddings: Float32Array[]; source: string };

function audioFiles(positionals: readonly string[], flags: FlagValues): string[] {
  return [...positionals, ...(typeof flags.audio === 'string' ? [flags.audio] : [])];
}

/** Seconds as `mm:ss.ss`. */
function clock(seconds: number): string {
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${(seconds % 60).toFixed(2).padStart(5, '0')}`;
}

/**
 * `accel run wav2vec2 talk.flac`: CTC speech recognition. Each positional argument (and `--audio`)
 * is one audio file; `--timestamps` prints each word with its time; `--task embed` prints one
 * embedding per file instead.
 */
export const wav2vec2Command: SkillCommand = {
  name: 'wav2vec2',
  packageName: '@accel/skill-wav2vec2',
  exportName: 'wav2vec2Skill',
  usage: 'accel run wav2vec2 <audio file>… [--timestamps] [--task transcribe|embed]',
  flags: wav2vec2Flags,
  toRequest(positionals, flags) {
    const files = audioFiles(positionals, flags);
    if (files.length === 0) throw new InvalidInputError({ reason: 'accel run wav2vec2 needs an audio file, e.g. accel run wav2vec2 talk.flac' });
    const options: Record<string, unknown> = {};
    if (typeof flags.task === 'string') options.task = flags.task;
    if (flags.timestamps === true) options.timestamps = true;
    return { input: files.length === 1 ? files[0] : files, options };
  },
  formatOutput(output, positionals, flags) {
    const files = audioFiles(positionals, flags);
    const result = output as Wav2Vec2CommandOutput;
    if (result.task === 'embed') return result.embeddings.map((embedding, index) => `${files[index]} → ${formatVector(embedding)} (mean ${result.source})`).join('\n');
    return result.transcriptions
      .map((transcription, index) => {
        const facts = `${transcription.duration.toFixed(2)} s, ${transcription.chunks} chunk${transcription.chunks === 1 ? '' : 's'}`;
        const lines = [`${files[index] ?? `audio ${index + 1}`} (${facts}):`, transcription.text.length > 0 ? transcription.text : '(no speech)'];
        for (const word of transcription.words ?? []) lines.push(`  [${clock(word.start)} → ${clock(word.end)}] ${word.text}`);
        return lines.join('\n');
      })
      .join('\n\n');
  },
};
