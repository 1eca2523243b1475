import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clapSkill, defaultTemplate, windowStarts, type ClapOutput } from '../src/index.js';
import { brokenFiles, speak, speechToolsMissing, voiced, writeWav } from './helpers/audio-fixtures.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const skipSpeech = speechToolsMissing === undefined ? '' : ` (skipped: ${speechToolsMissing})`;
/** exp(logit_scale_a) of the forged model: 1/0.07. */
const logitScale = 1 / 0.07;
let accel: Accel;

const low = { samples: voiced(0.8, 48_000, 120), sampleRate: 48_000 };
const high = { samples: voiced(0.8, 48_000, 330), sampleRate: 48_000 };
const labels = ['speech', 'music', 'a dog barking', 'rain'];

beforeAll(async () => {
  const { directory } = await forgeModel('Xenova/clap-htsat-unfused', { root: modelRoot });
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [clapSkill] });
  // One copy (`replicas: 'auto'` would load two of this small forged model): the tests check batch-mates.
  accel.addEndpoint({ id: 'clap', skill: clapSkill, model: directory, batchWaitMs: 50, replicas: 1 });
  await accel.init();
});
afterAll(() => accel.dispose());

function pick<T extends ClapOutput['task']>(output: ClapOutput, task: T): Extract<ClapOutput, { task: T }> {
  expect(output.task).toBe(task);
  return output as Extract<ClapOutput, { task: T }>;
}

const close = (left: Float32Array, right: Float32Array, tolerance = 1e-5) => left.forEach((value, index) => expect(Math.abs(value - right[index]!)).toBeLessThan(tolerance));

describe('zero-shot audio classification', () => {
  it('gives every label a probability, best first, summing to 1 for each clip', async () => {
    const { output } = await accel.infer(clapSkill, { audio: [low, high], labels });
    const { classifications } = pick(output, 'classify');
    expect(classifications).toHaveLength(2);
    for (const classification of classifications) {
      expect(classification.scores.map((entry) => entry.label).sort()).toEqual([...labels].sort());
      expect(classification.scores.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 10);
      const scores = classification.scores.map((entry) => entry.score);
      expect(scores).toEqual([...scores].sort((left, right) => right - left));
      expect(classification).toMatchObject({ label: classification.scores[0]!.label, score: classification.scores[0]!.score });
    }
    expect(classifications[0]!.scores).not.toEqual(classifications[1]!.scores);
  });

  it('scores softmax(scale · cosine) of the clip and the templated labels, and the template matters', async () => {
    const template = 'the sound of {} in a room';
    const classified = pick((await accel.infer(clapSkill, { audio: low, labels }, { template })).output, 'classify').classifications[0]!;
    const similar = pick((await accel.infer(clapSkill, { audio: low, text: labels.map((label) => template.replaceAll('{}', label)) })).output, 'similarity');
    const exponentials = similar.similarity[0]!.map((cosine) => Math.exp(logitScale * cosine));
    const total = exponentials.reduce((sum, value) => sum + value, 0);
    labels.forEach((label, index) => expect(classified.scores.find((entry) => entry.label === label)!.score).toBeCloseTo(exponentials[index]! / total, 5));
    const byDefault = pick((await accel.infer(clapSkill, { audio: low, labels })).output, 'classify').classifications[0]!;
    const explicit = pick((await accel.infer(clapSkill, { audio: low, labels }, { template: defaultTemplate })).output, 'classify').classifications[0]!;
    expect(explicit).toEqual(byDefault);
    expect(byDefault.scores).not.toEqual(classified.scores);
  });
});

describe('embeddings and similarity', () => {
  it('gives identical embeddings for identical inputs and the same embedding whatever the task or batch', async () => {
    const [audioOnly, withText, lowAlone] = await Promise.all([
      accel.infer(clapSkill, { audio: [low, high, low] }),
      accel.infer(clapSkill, { audio: [high], text: ['a dog barking', 'rain'] }),
      accel.infer(clapSkill, { audio: low }),
    ]);
    expect(audioOnly.provenance.batchSizes[0]).toBeGreaterThan(3);
    const embedded = pick(audioOnly.output, 'embed-audio').audioEmbeddings;
    expect(Array.from(embedded[0]!)).toEqual(Array.from(embedded[2]!));
    expect(Array.from(embedded[0]!)).not.toEqual(Array.from(embedded[1]!));
    close(pick(withText.output, 'similarity').audioEmbeddings[0]!, embedded[1]!);
    close(pick(lowAlone.output, 'embed-audio').audioEmbeddings[0]!, embedded[0]!);
    const texts = pick((await accel.infer(clapSkill, { text: ['rain', 'a dog barking', 'rain'] })).output, 'embed-text').textEmbeddings;
    expect(Array.from(texts[0]!)).toEqual(Array.from(texts[2]!));
    close(pick(withText.output, 'similarity').textEmbeddings[1]!, texts[0]!);
  });

  it('returns unit embeddings, their cosine matrix and the model logits (scale · cosine)', async () => {
    const { output } = await accel.infer(clapSkill, { audio: [low, high], text: ['a dog barking', 'rain', 'a man speaking'] });
    const result = pick(output, 'similarity');
    expect(result.dimensions).toBe(16);
    for (const embedding of [...result.audioEmbeddings, ...result.textEmbeddings]) expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    result.similarity.forEach((row, audio) =>
      row.forEach((value, text) => {
        const cosine = result.audioEmbeddings[audio]!.reduce((sum, unit, index) => sum + unit * result.textEmbeddings[text]![index]!, 0);
        expect(value).toBeCloseTo(cosine, 6);
        expect(result.logits[audio]![text]).toBeCloseTo(logitScale * cosine, 3);
      }),
    );
  });

  it('embeds a clip longer than the feature window as the mean of evenly spaced windows, and says so', async () => {
    const long = writeWav('long.wav', voiced(2.6, 16_000, 160), 16_000);
    const { output, provenance } = await accel.infer(clapSkill, { audio: long });
    expect(Math.hypot(...pick(output, 'embed-audio').audioEmbeddings[0]!)).toBeCloseTo(1, 5);
    expect(provenance.notes).toEqual([{ kind: 'info', item: 0, message: '2.6 s of audio ran as 3 evenly spaced 1 s windows, averaged' }]);
    expect(windowStarts(124_800, 48_000)).toEqual([0, 38_400, 76_800]);
    expect(windowStarts(48_000, 48_000)).toEqual([0]);
    expect(windowStarts(1_000, 48_000)).toEqual([0]);
  });

  it('runs the int8 model (dtype q8) close to fp32', async () => {
    const { directory } = await forgeModel('Xenova/clap-htsat-unfused', { root: modelRoot });
    accel.addEndpoint({ id: 'q8', skill: clapSkill, model: directory, dtype: 'q8' });
    const full = pick((await accel.infer(clapSkill, { audio: low, text: 'rain' }, { endpoint: 'clap' })).output, 'similarity');
    const { output, provenance } = await accel.infer(clapSkill, { audio: low, text: 'rain' }, { endpoint: 'q8' });
    expect(provenance.model.files).toContain('onnx/model_quantized.onnx');
    const quantized = pick(output, 'similarity');
    expect(quantized.audioEmbeddings[0]!.reduce((sum, value, index) => sum + value * full.audioEmbeddings[0]![index]!, 0)).toBeGreaterThan(0.98);
    expect(quantized.textEmbeddings[0]!.reduce((sum, value, index) => sum + value * full.textEmbeddings[0]![index]!, 0)).toBeGreaterThan(0.98);
    await accel.removeEndpoint('q8');
  });

  it('cuts text longer than the context length and notes it', async () => {
    const long = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');
    const { output, provenance } = await accel.infer(clapSkill, { text: ['short', long] });
    expect(pick(output, 'embed-text').textEmbeddings).toHaveLength(2);
    expect(provenance.notes).toEqual([{ kind: 'truncated', item: 1, message: 'the text was cut to 64 tokens (the context length)' }]);
  });

  it.skipIf(skipSpeech !== '')(`reads espeak-ng speech from wav and mp3 (resampled to 48 kHz)${skipSpeech}`, async () => {
    const wav = speak('a man is speaking slowly', 'speech.wav', 22_050);
    const mp3 = speak('a man is speaking slowly', 'speech.mp3', 22_050);
    const { output, provenance } = await accel.infer(clapSkill, { audio: [wav, mp3], labels: ['speech', 'music'] });
    const [fromWav, fromMp3] = pick(output, 'classify').classifications;
    expect(fromWav!.scores.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 10);
    expect(fromMp3!.scores).toHaveLength(2);
    expect(provenance).toMatchObject({ backend: 'cpu', device: 'cpu', dtype: 'fp32' });
    expect(provenance.model.files).toEqual(expect.arrayContaining(['onnx/model.onnx', 'tokenizer.json', 'preprocessor_config.json']));
  });
});

describe('bad audio files', () => {
  const speechMp3 = speechToolsMissing === undefined ? speak('a short sentence to cut in half', 'cut-source.mp3') : undefined;

  it.each(Object.entries(brokenFiles(speechMp3)))('refuses %s with a one-line InvalidInputError naming it, without failing its batch-mates', async (_name, file) => {
    const [bad, fine] = await Promise.allSettled([accel.infer(clapSkill, { audio: [low, file], labels }), accel.infer(clapSkill, { audio: high, labels })]);
    expect(bad.status).toBe('rejected');
    const error = (bad as PromiseRejectedResult).reason as InvalidInputError;
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error.index).toBe(1);
    expect(error.message).toContain(file);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(fine.status).toBe('fulfilled');
    if (fine.status === 'fulfilled') expect(fine.value.provenance.batchSizes[0]).toBe(3);
  });
});
