import { InvalidInputError } from '@accel/core';
import type { FlagValues, SkillCommand } from './skill-command.js';

/** `--image` (repeatable, one file per use), `--labels` (comma-separated), `--template` (`{}` marks the label). */
export const clipFlags = {
  image: { type: 'string', multiple: true },
  labels: { type: 'string' },
  template: { type: 'string' },
} as const;

/** `--labels "a cat, a dog"` → `['a cat', 'a dog']`; undefined when the flag is absent. */
export function labelsOf(flags: FlagValues): string[] | undefined {
  if (typeof flags.labels !== 'string') return undefined;
  const labels = flags.labels
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label.length > 0);
  if (labels.length === 0) throw new InvalidInputError({ reason: '--labels needs at least one label, e.g. --labels "a cat,a dog"' });
  return labels;
}

/** The `--template` option, checked to go with `--labels`. */
export function templateOptions(flags: FlagValues, labels: readonly string[] | undefined): Record<string, unknown> | undefined {
  if (typeof flags.template !== 'string') return undefined;
  if (labels === undefined) throw new InvalidInputError({ reason: '--template applies to zero-shot classification: give --labels too' });
  return { template: flags.template };
}

/** A vector's first values, length and norm on one line. */
export function formatVector(vector: ArrayLike<number>): string {
  const values = Array.from(vector);
  const head = values.slice(0, 6).map((value) => value.toFixed(4)).join(', ');
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return `[${head}${values.length > 6 ? ', …' : ''}] (${values.length} dims, norm ${norm.toFixed(4)})`;
}

/** `name` then one indented `label  score` line per label, most likely first. */
export function formatRanking(name: string, ranking: ReadonlyArray<{ label: string; score: number }>): string {
  const width = Math.max(...ranking.map((entry) => entry.label.length));
  return [name, ...ranking.map((entry) => `  ${entry.label.padEnd(width)}  ${entry.score.toFixed(4)}`)].join('\n');
}

type ClipCommandOutput =
  | { task: 'image-embedding' | 'text-embedding'; embeddings: Float32Array[] }
  | { task: 'image-text-similarity'; similarities: number[][] }
  | { task: 'zero-shot-image-classification'; classifications: Array<Array<{ label: string; score: number }>> };

/**
 * `accel run clip --image cat.png --labels "a cat,a dog"`: zero-shot classification (`--template`
 * sets the sentence); `--image` alone: image embeddings; texts alone: text embeddings; `--image`
 * with texts: image–text cosine similarity.
 */
export const clipCommand: SkillCommand = {
  name: 'clip',
  packageName: '@accel/skill-clip',
  exportName: 'clipSkill',
  usage: 'accel run clip --image <file>… [--labels "a cat,a dog" [--template "a photo of a {}."]] [<text>…]',
  flags: clipFlags,
  toRequest(positionals, flags) {
    const images = Array.isArray(flags.image) ? flags.image.map(String) : [];
    const labels = labelsOf(flags);
    const options = templateOptions(flags, labels);
    const texts = [...positionals];
    if (labels !== undefined) {
      if (images.length === 0) throw new InvalidInputError({ reason: 'accel run clip --labels needs at least one --image' });
      if (texts.length > 0) throw new InvalidInputError({ reason: 'give either texts (similarity) or --labels (zero-shot classification), not both' });
      return { input: { images, labels }, ...(options ? { options } : {}) };
    }
    if (images.length === 0 && texts.length === 0) {
      throw new InvalidInputError({ reason: 'accel run clip needs --image <file> and/or texts, e.g. accel run clip --image cat.png --labels "a cat,a dog"' });
    }
    if (texts.length === 0) return { input: { images } };
    if (images.length === 0) return { input: { texts } };
    return { input: { images, texts } };
  },
  formatOutput(output, positionals, flags) {
    const result = output as ClipCommandOutput;
    const images = Array.isArray(flags.image) ? flags.image.map(String) : [];
    switch (result.task) {
      case 'zero-shot-image-classification':
        return result.classifications.map((ranking, index) => formatRanking(images[index] ?? `image ${index}`, ranking)).join('\n');
      case 'image-embedding':
        return result.embeddings.map((embedding, index) => `${images[index]} → ${formatVector(embedding)}`).join('\n');
      case 'text-embedding':
        return result.embeddings.map((embedding, index) => `${JSON.stringify(positionals[index])} → ${formatVector(embedding)}`).join('\n');
      case 'image-text-similarity':
        return result.similarities
          .map((row, index) => `${images[index]}: ${row.map((similarity, column) => `${JSON.stringify(positionals[column])} ${similarity.toFixed(4)}`).join(', ')}`)
          .join('\n');
    }
  },
};
