import type { SkillCases } from '@accel/testkit';
import { afterAll, expect } from 'vitest';
import type { ClipInput, ClipOutput, clipSkill } from '../src/index.js';
import { imageFolder, patternPixels, patternPng } from './images.js';

const dimensions = 32;
const images = await imageFolder();
afterAll(() => images.remove());
const png = await patternPng(1);

function count(value: unknown): number {
  return Array.isArray(value) ? value.length : 1;
}

function expectClipOutput(output: ClipOutput, input: ClipInput): void {
  const request = input as { images?: unknown; texts?: unknown; labels?: readonly string[] };
  switch (output.task) {
    case 'image-embedding':
    case 'text-embedding':
      expect(output.embeddings).toHaveLength(count(output.task === 'image-embedding' ? request.images : request.texts));
      expect(output.dimensions).toBe(dimensions);
      for (const embedding of output.embeddings) {
        expect(embedding).toBeInstanceOf(Float32Array);
        expect(embedding).toHaveLength(dimensions);
        expect(embedding.every(Number.isFinite)).toBe(true);
      }
      break;
    case 'image-text-similarity':
      expect(output.similarities).toHaveLength(count(request.images));
      for (const row of output.similarities) {
        expect(row).toHaveLength(count(request.texts));
        for (const similarity of row) expect(Math.abs(similarity)).toBeLessThanOrEqual(1 + 1e-6);
      }
      break;
    case 'zero-shot-image-classification':
      expect(output.classifications).toHaveLength(count(request.images));
      for (const ranking of output.classifications) {
        expect(ranking.map((entry) => entry.label).sort()).toEqual([...request.labels!].sort());
        expect(Math.abs(ranking.reduce((sum, entry) => sum + entry.score, 0) - 1)).toBeLessThan(1e-6);
      }
      break;
  }
}

/** clip's conformance data, on its default model (Xenova/clip-vit-base-patch32). */
export const cases: SkillCases<typeof clipSkill> = {
  inputs: [
    { images: [images.files.red, images.files.blue], labels: ['a cat', 'a dog', 'a car'] },
    { images: [png, patternPixels(3)] },
    { texts: ['a photo of a cat', 'a dog running on the beach'] },
    { images: [images.files.blue], texts: ['a blue square', 'stripes'] },
  ],
  invalidInputs: [
    { name: 'null', input: null },
    { name: 'a bare string', input: 'a cat' },
    { name: 'an empty object', input: {} },
    { name: 'an unknown field', input: { image: images.files.red } },
    { name: 'an empty images list', input: { images: [] } },
    { name: 'a number as image', input: { images: 42 } },
    { name: 'empty image bytes', input: { images: new Uint8Array(0) } },
    { name: 'raw pixels of the wrong length', input: { images: { data: new Uint8Array(5), width: 2, height: 2, channels: 3 } } },
    { name: 'an empty text', input: { texts: ['fine', ''] } },
    { name: 'labels without images', input: { labels: ['a cat'] } },
    { name: 'labels and texts together', input: { images: png, texts: ['a'], labels: ['b'] } },
    { name: 'no labels', input: { images: png, labels: [] } },
    { name: 'a repeated label', input: { images: png, labels: ['cat', 'cat'] } },
    { name: 'a template without {}', input: { images: png, labels: ['cat', 'dog'] }, options: { template: 'a photo' } },
    { name: 'a non-boolean normalize', input: { texts: 'a cat' }, options: { normalize: 'yes' } },
    { name: 'a negative logit scale', input: { images: png, labels: ['cat', 'dog'] }, options: { logitScale: -1 } },
    { name: 'a missing file', input: { images: `${images.folder}/missing.png` } },
    { name: 'a truncated PNG', input: { images: images.files.corrupt } },
    { name: 'an empty file', input: { images: images.files.empty } },
    { name: 'a text file named .png', input: { images: [images.files.red, images.files.text] } },
  ],
  expectOutput: expectClipOutput,
};
