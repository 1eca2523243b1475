import { InvalidInputError, type SkillCliCommand, type SkillCliV1 } from '@accel/core';
import { formatClock, formatVector } from '@accel/transformers-kit';
import type { Wav2Vec2Input, Wav2Vec2Options, Wav2Vec2Output } from './wav2vec2-schemas.js';

/** The audio files of a command line: the positional arguments, then `--audio`. */
function audioFiles({ positionals, flags }: SkillCliCommand): string[] {
  return [...positionals, ...(typeof flags.audio === 'string' ? [flags.audio] : [])];
}

/**
 * `accel run wav2vec2 talk.flac`: CTC speech recognition. Each positional argument (and `--audio`)
 * is one audio file; `--timestamps` prints each word with its time; `--task embed` prints one
 * embedding per file instead.
 */
export const wav2vec2Cli: SkillCliV1<Wav2Vec2Input, Wav2Vec2Options, Wav2Vec2Output> = {
  usage: ['accel run wav2vec2 <audio file>… [--timestamps] [--task transcribe|embed]'],
  positionals: 'audio files…',
  textInputFiles: false,
  flags: { audio: { type: 'string', placeholder: '<file>', description: 'an audio file (after the positional ones)' } },
  toRequest(command) {
    const files = audioFiles(command);
    if (files.length === 0) throw new InvalidInputError({ reason: 'accel run wav2vec2 needs an audio file, e.g. accel run wav2vec2 talk.flac' });
    return { input: files.length === 1 ? files[0]! : files };
  },
  format(output, command) {
    const files = audioFiles(command);
    if (output.task === 'embed') return output.embeddings.map((embedding, index) => `${files[index]} → ${formatVector(embedding)} (mean ${output.source})`).join('\n');
    return output.transcriptions
      .map((transcription, index) => {
        const facts = `${transcription.duration.toFixed(2)} s, ${transcription.chunks} chunk${transcription.chunks === 1 ? '' : 's'}`;
        const lines = [`${files[index] ?? `audio ${index + 1}`} (${facts}):`, transcription.text.length > 0 ? transcription.text : '(no speech)'];
        for (const word of transcription.words ?? []) lines.push(`  [${formatClock(word.start)} → ${formatClock(word.end)}] ${word.text}`);
        return lines.join('\n');
      })
      .join('\n\n');
  },
};
