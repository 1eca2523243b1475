import { InvalidInputError } from '@accel/core';
import { formatRanking, formatVector, labelsOf, templateOptions } from './clip-command.js';
import type { SkillCommand } from './skill-command.js';

/** `--audio` (one file), `--labels` (comma-separated), `--template` (`{}` marks the label): the same flags as whisper and clip. */
export const clapFlags = {
  audio: { type: 'string' },
  labels: { type: 'string' },
  template: { type: 'string' },
} as const;

type ClapCommandOutput =
  | { task: 'classify'; classifications: Array<{ scores: Array<{ label: string; score: number }> }> }
  | { task: 'embed-audio'; audioEmbeddings: Float32Array[] }
  | { task: 'embed-text'; textEmbeddings: Float32Array[] }
  | { task: 'similarity'; similarity: number[][] };

/**
 * `accel run clap --audio x.wav --labels "speech,music"`: zero-shot audio classification
 * (`--template` sets the sentence); `--audio` alone: the audio embedding; texts alone: text
 * embeddings; `--audio` with texts: audio–text cosine similarity.
 */
export const clapCommand: SkillCommand = {
  name: 'clap',
  packageName: '@accel/skill-clap',
  exportName: 'clapSkill',
  usage: 'accel run clap --audio <file> [--labels "speech,music" [--template "This is a sound of {}."]] [<text>…]',
  flags: clapFlags,
  toRequest(positionals, flags) {
    const audio = typeof flags.audio === 'string' ? flags.audio : undefined;
    const labels = labelsOf(flags);
    const options = templateOptions(flags, labels);
    const texts = [...positionals];
    if (labels !== undefined) {
      if (audio === undefined) throw new InvalidInputError({ reason: 'accel run clap --labels needs --audio <file>' });
      if (texts.length > 0) throw new InvalidInputError({ reason: 'give either texts (similarity) or --labels (zero-shot classification), not both' });
      return { input: { audio, labels }, ...(options ? { options } : {}) };
    }
    if (audio === undefined && texts.length === 0) {
      throw new InvalidInputError({ reason: 'accel run clap needs --audio <file> and/or texts, e.g. accel run clap --audio dog.wav --labels "a dog,music"' });
    }
    if (texts.length === 0) return { input: { audio } };
    if (audio === undefined) return { input: { text: texts } };
    return { input: { audio, text: texts } };
  },
  formatOutput(output, positionals, flags) {
    const result = output as ClapCommandOutput;
    const audio = typeof flags.audio === 'string' ? flags.audio : 'audio';
    switch (result.task) {
      case 'classify':
        return result.classifications.map((classification) => formatRanking(audio, classification.scores)).join('\n');
      case 'embed-audio':
        return result.audioEmbeddings.map((embedding) => `${audio} → ${formatVector(embedding)}`).join('\n');
      case 'embed-text':
        return result.textEmbeddings.map((embedding, index) => `${JSON.stringify(positionals[index])} → ${formatVector(embedding)}`).join('\n');
      case 'similarity':
        return result.similarity
          .map((row) => `${audio}: ${row.map((similarity, column) => `${JSON.stringify(positionals[column])} ${similarity.toFixed(4)}`).join(', ')}`)
          .join('\n');
    }
  },
};
