import { createCpuBackend } from '@accel/backend-cpu';
import { createAccel, type Accel } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { env, pipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const sentences = ['a cat sat on the mat', 'the dog barked', 'the quick brown fox jumps over the lazy dog'];

// Every model type the skill declares, each on a forged model of that type (bert: also embeddings.test.ts).
const modelTypes = [
  { modelType: 'bert', id: 'onnx-community/bert-tiny-ONNX' },
  { modelType: 'distilbert', id: 'Xenova/distilbert-base-uncased' },
  { modelType: 'roberta', id: 'Xenova/all-distilroberta-v1' },
  { modelType: 'xlm-roberta', id: 'Xenova/paraphrase-multilingual-mpnet-base-v2' },
  { modelType: 'mpnet', id: 'Xenova/all-mpnet-base-v2' },
];

it('declares exactly the model types tested here', () => {
  expect([...(bertSkill.modelTypes ?? [])].sort()).toEqual(modelTypes.map(({ modelType }) => modelType).sort());
});

describe.each(modelTypes)('bert embeddings from a forged $modelType model ($id)', ({ id }) => {
  let directory = '';
  let accel: Accel;

  beforeAll(async () => {
    env.allowRemoteModels = false;
    ({ directory } = await forgeModel(id, { root: modelRoot }));
    accel = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [bertSkill] });
    accel.addEndpoint({ skill: bertSkill, model: directory, isolation: 'inline' });
  });
  afterAll(() => accel.dispose());

  it.each(['mean', 'cls'] as const)('match the transformers.js feature-extraction pipeline on the same files (%s pooling)', async (pooling) => {
    const extractor = await pipeline('feature-extraction', directory, { local_files_only: true, dtype: 'fp32' });
    const expected = (await extractor(sentences, { pooling, normalize: false })).tolist() as number[][];
    await extractor.dispose();
    const { output, provenance } = await accel.infer(bertSkill, sentences, { pooling });
    expect(provenance.backend).toBe('cpu');
    expect(output.embeddings).toHaveLength(sentences.length);
    output.embeddings.forEach((embedding, row) => {
      expect(embedding).toHaveLength(expected[row]!.length);
      embedding.forEach((value, column) => expect(Math.abs(value - expected[row]![column]!)).toBeLessThan(1e-4));
    });
    expect(Math.abs(output.embeddings[0]![0]! - output.embeddings[1]![0]!)).toBeGreaterThan(0);
  });
});
