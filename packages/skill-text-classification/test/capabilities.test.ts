import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, UnsupportedError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RankedLabel, textClassificationSkill } from '../src/index.js';

env.allowRemoteModels = false;

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let accel: Accel;
let directory = '';

beforeAll(async () => {
  ({ directory } = await forgeModel('Xenova/distilbert-base-uncased-finetuned-sst-2-english', { root: modelRoot }));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [textClassificationSkill] });
  accel.addEndpoint({ id: 'sst2', skill: textClassificationSkill, model: directory });
  await accel.init();
});

afterAll(async () => {
  await accel.dispose();
});

describe('text-classification capabilities', () => {
  const classify = textClassificationSkill.capabilities!.classify!;

  it('classifies texts with the model’s own labels: every label with its score, best first, as transformers.js’s pipeline scores them', async () => {
    expect(classify.modalities).toEqual(['text']);
    expect(classify.zeroShot).toBe(false);
    const texts = ['I love it', 'the service was slow and the food was cold'];
    const request = classify.request({ modality: 'text', items: texts }, undefined, undefined);
    const { output, provenance } = await accel.infer(textClassificationSkill, request.input, request.options);
    const scores = classify.scores(output);
    const classifier = await pipeline('text-classification', directory, { local_files_only: true, dtype: 'fp32' });
    expect(scores).toHaveLength(2);
    for (const [index, text] of texts.entries()) {
      const expected = (await classifier(text, { top_k: null })) as RankedLabel[];
      expect(scores[index]!.map((entry) => entry.label)).toEqual(expected.map((entry) => entry.label));
      expect(scores[index]!.map((entry) => entry.label).sort()).toEqual(['NEGATIVE', 'POSITIVE']);
      scores[index]!.forEach((entry, rank) => expect(Math.abs(entry.score - expected[rank]!.score)).toBeLessThan(1e-5));
    }
    // Usage: the tokens each text used, as transformers.js's tokenizer counts them.
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    expect(provenance.usage).toEqual({ inputTokens: texts.reduce((sum, text) => sum + tokenizer.encode(text).length, 0), outputTokens: 0 });
  });

  it('refuses candidate labels and a template: the model has its labels built in', () => {
    expect(() => classify.request({ modality: 'text', items: ['hi'] }, ['good', 'bad'], undefined)).toThrow(UnsupportedError);
    expect(() => classify.request({ modality: 'text', items: ['hi'] }, undefined, 'it is {}')).toThrow(/template/);
  });
});
