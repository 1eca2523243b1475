import { join } from 'node:path';
import type { SkillCases } from '@accel/testkit';
import { expect } from 'vitest';
import type { ClapInput, ClapOutput, clapSkill } from '../src/index.js';
import { brokenFiles, fixtureFolder, speak, speechToolsMissing, voiced, writeWav } from './helpers/audio-fixtures.js';

const dimensions = 16;

const clip = { samples: voiced(1, 48_000), sampleRate: 48_000 };
const toneFile = writeWav('voiced-16k.wav', voiced(2, 16_000, 190), 16_000);
const speechMp3 = speechToolsMissing === undefined ? speak('a dog is barking in the garden', 'dog.mp3', 22_050) : undefined;
const count = (value: unknown) => (Array.isArray(value) ? value.length : 1);

function expectOutput(output: ClapOutput, input: ClapInput): void {
  const embeddings = (list: Float32Array[], expected: number) => {
    expect(list).toHaveLength(expected);
    for (const embedding of list) {
      expect(embedding).toHaveLength(dimensions);
      expect(Math.hypot(...embedding)).toBeCloseTo(1, 4);
    }
  };
  if (output.task === 'classify') {
    expect(output.classifications).toHaveLength(count(input.audio));
    for (const classification of output.classifications) {
      expect(classification.scores.map((entry) => entry.label).sort()).toEqual([...input.labels!].sort());
      expect(classification.scores.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 6);
      expect(classification.label).toBe(classification.scores[0]!.label);
    }
  } else if (output.task === 'embed-audio') {
    embeddings(output.audioEmbeddings, count(input.audio));
  } else if (output.task === 'embed-text') {
    embeddings(output.textEmbeddings, count(input.text));
  } else {
    embeddings(output.audioEmbeddings, count(input.audio));
    embeddings(output.textEmbeddings, count(input.text));
    expect(output.similarity).toHaveLength(count(input.audio));
    expect(output.logits[0]).toHaveLength(count(input.text));
  }
}

/** clap's conformance data, on its default model (Xenova/clap-htsat-unfused). */
export const cases: SkillCases<typeof clapSkill> = {
  // The memory check runs fewer requests than the kit's sensitive count (and, off cpu, fewer
  // cycles), and the matrix cell says so: every request decodes and resamples audio and runs
  // transformers.js's ClapFeatureExtractor and the Swin audio tower, and every cycle loads the model
  // in a worker, which at the full counts would take several minutes of the CI budget on a 2-core machine.
  memory: (backend) =>
    backend === 'cpu'
      ? { cycles: 30, requests: 320, reason: 'each request runs audio feature extraction and the Swin audio tower; the full count does not fit the CI budget' }
      : { cycles: 10, requests: 192, reason: 'audio feature extraction and the Swin audio tower are slower on wasm; the full counts do not fit the CI budget' },
  inputs: [
    { audio: clip, labels: ['speech', 'music', 'a dog barking'] },
    { text: ['a dog barking', 'rain on a tin roof'] },
    { audio: [toneFile, clip], text: 'a man speaking' },
    { audio: speechMp3 ?? toneFile },
  ],
  invalidInputs: [
    { name: 'empty object', input: {} },
    { name: 'a bare path', input: toneFile },
    { name: 'null', input: null },
    { name: 'empty audio path', input: { audio: '' } },
    { name: 'empty audio list', input: { audio: [] } },
    { name: 'empty text', input: { text: '' } },
    { name: 'empty text list', input: { text: [] } },
    { name: 'labels without audio', input: { labels: ['a'] } },
    { name: 'labels with text', input: { audio: clip, text: 'x', labels: ['a'] } },
    { name: 'empty labels', input: { audio: clip, labels: [] } },
    { name: 'a blank label', input: { audio: clip, labels: ['a', ' '] } },
    { name: 'a repeated label', input: { audio: clip, labels: ['a', 'a'] } },
    { name: 'labels as a string', input: { audio: clip, labels: 'a,b' } },
    { name: 'a misspelt field', input: { audio: clip, lables: ['a'] } },
    { name: 'samples that are not a Float32Array', input: { audio: { samples: [0.1], sampleRate: 48_000 } } },
    { name: 'a template without {}', input: { audio: clip, labels: ['a', 'b'] }, options: { template: 'a sound' } },
    { name: 'a template without labels', input: { audio: clip }, options: { template: 'a sound of {}' } },
    { name: 'a missing file', input: { audio: join(fixtureFolder, 'missing.wav') } },
    ...Object.entries(brokenFiles(speechMp3)).map(([name, file]) => ({ name, input: { audio: [toneFile, file], labels: ['a', 'b'] } })),
  ],
  expectOutput,
};
