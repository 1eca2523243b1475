import { InvalidInputError, type SkillCliV1 } from '@accel/core';
import { formatRanking, formatVector, splitList } from '@accel/transformers-kit/encoders';
import type { ClipInput, ClipOptions, ClipOutput } from './clip-schemas.js';

/**
 * `accel run clip --image cat.png --labels "a cat,a dog"`: zero-shot classification (`--template`
 * sets the sentence); `--image` alone: image embeddings; texts alone: text embeddings; `--image`
 * with texts: image–text cosine similarity.
 */
export const clipCli: SkillCliV1<ClipInput, ClipOptions, ClipOutput> = {
  usage: ['accel run clip --image <file>… [--labels "a cat,a dog" [--template "a photo of a {}."]] [<text>…]'],
  positionals: 'text…',
  flags: {
    image: { type: 'string', multiple: true, placeholder: '<file>', description: 'an image file (repeatable, in order)' },
    labels: { type: 'string', placeholder: '"a cat,a dog"', description: 'comma-separated labels for zero-shot classification' },
  },
  toRequest({ positionals, flags }) {
    const images = (flags.image as readonly string[] | undefined) ?? [];
    const labels = splitList(flags.labels as string | undefined);
    const texts = [...positionals];
    if (labels !== undefined) {
      if (labels.length === 0) throw new InvalidInputError({ reason: '--labels needs at least one label, e.g. --labels "a cat,a dog"' });
      if (images.length === 0) throw new InvalidInputError({ reason: 'accel run clip --labels needs at least one --image' });
      if (texts.length > 0) throw new InvalidInputError({ reason: 'give either texts (similarity) or --labels (zero-shot classification), not both' });
      return { input: { images, labels } };
    }
    if (images.length === 0 && texts.length === 0) {
      throw new InvalidInputError({ reason: 'accel run clip needs --image <file> and/or texts, e.g. accel run clip --image cat.png --labels "a cat,a dog"' });
    }
    if (texts.length === 0) return { input: { images } };
    if (images.length === 0) return { input: { texts } };
    return { input: { images, texts } };
  },
  format(output, { flags, inputNames }) {
    const images = (flags.image as readonly string[] | undefined) ?? [];
    switch (output.task) {
      case 'zero-shot-image-classification':
        return output.classifications.map((ranking, index) => formatRanking(images[index] ?? `image ${index}`, ranking)).join('\n');
      case 'image-embedding':
        return output.embeddings.map((embedding, index) => `${images[index]} → ${formatVector(embedding)}`).join('\n');
      case 'text-embedding':
        return output.embeddings.map((embedding, index) => `${inputNames[index]} → ${formatVector(embedding)}`).join('\n');
      case 'image-text-similarity':
        return output.similarities
          .map((row, index) => `${images[index]}: ${row.map((similarity, column) => `${inputNames[column]} ${similarity.toFixed(4)}`).join(', ')}`)
          .join('\n');
    }
  },
};
