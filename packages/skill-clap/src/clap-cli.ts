import { InvalidInputError, type SkillCliV1 } from '@accel/core';
import { formatRanking, formatVector, splitList } from '@accel/transformers-kit';
import type { ClapInput, ClapOptions, ClapOutput } from './clap-schemas.js';

/**
 * `accel run clap --audio x.wav --labels "speech,music"`: zero-shot audio classification
 * (`--template` sets the sentence); `--audio` alone: the audio embedding; texts alone: text
 * embeddings; `--audio` with texts: audio–text cosine similarity.
 */
export const clapCli: SkillCliV1<ClapInput, ClapOptions, ClapOutput> = {
  usage: ['accel run clap --audio <file> [--labels "speech,music" [--template "This is a sound of {}."]] [<text>…]'],
  positionals: 'text…',
  flags: {
    audio: { type: 'string', placeholder: '<file>', description: 'an audio file' },
    labels: { type: 'string', placeholder: '"speech,music"', description: 'comma-separated labels for zero-shot classification' },
  },
  toRequest({ positionals, flags }) {
    const audio = typeof flags.audio === 'string' ? flags.audio : undefined;
    const labels = splitList(flags.labels as string | undefined);
    const texts = [...positionals];
    if (labels !== undefined) {
      if (labels.length === 0) throw new InvalidInputError({ reason: '--labels needs at least one label, e.g. --labels "a cat,a dog"' });
      if (audio === undefined) throw new InvalidInputError({ reason: 'accel run clap --labels needs --audio <file>' });
      if (texts.length > 0) throw new InvalidInputError({ reason: 'give either texts (similarity) or --labels (zero-shot classification), not both' });
      return { input: { audio, labels } };
    }
    if (audio === undefined && texts.length === 0) {
      throw new InvalidInputError({ reason: 'accel run clap needs --audio <file> and/or texts, e.g. accel run clap --audio dog.wav --labels "a dog,music"' });
    }
    if (texts.length === 0) return { input: { audio: audio! } };
    if (audio === undefined) return { input: { text: texts } };
    return { input: { audio, text: texts } };
  },
  format(output, { flags, inputNames }) {
    const audio = typeof flags.audio === 'string' ? flags.audio : 'audio';
    switch (output.task) {
      case 'classify':
        return output.classifications.map((classification) => formatRanking(audio, classification.scores)).join('\n');
      case 'embed-audio':
        return output.audioEmbeddings.map((embedding) => `${audio} → ${formatVector(embedding)}`).join('\n');
      case 'embed-text':
        return output.textEmbeddings.map((embedding, index) => `${inputNames[index]} → ${formatVector(embedding)}`).join('\n');
      case 'similarity':
        return output.similarity.map((row) => `${audio}: ${row.map((similarity, column) => `${inputNames[column]} ${similarity.toFixed(4)}`).join(', ')}`).join('\n');
    }
  },
};
