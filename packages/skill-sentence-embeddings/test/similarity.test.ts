import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { env, pipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, rankBySimilarity, sentenceEmbeddingsSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let accel: Accel;
let directory: string;
const sentences = ['a cat sat on the mat', 'the dog barked', 'the quick brown fox jumps over the lazy dog'];

beforeAll(async () => {
  directory = (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot })).directory;
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [sentenceEmbeddingsSkill] });
  accel.addEndpoint({ skill: sentenceEmbeddingsSkill, model: directory });
});

afterAll(() => accel.dispose());

describe('sentence embeddings', () => {
  it('match the transformers.js feature-extraction pipeline on the same model (mean pooling, normalised)', async () => {
    env.allowRemoteModels = false;
    const extractor = await pipeline('feature-extraction', directory, { local_files_only: true, dtype: 'fp32' });
    const reference = await extractor(sentences, { pooling: 'mean', normalize: true });
    const { output } = await accel.infer(sentenceEmbeddingsSkill, sentences);
    const expected = reference.tolist() as number[][];
    output.embeddings.forEach((embedding, row) => {
      embedding.forEach((value, column) => expect(Math.abs(value - expected[row]![column]!)).toBeLessThan(1e-4));
    });
    await extractor.dispose();
  });

  it('ranks by cosine similarity', async () => {
    const { output } = await accel.infer(sentenceEmbeddingsSkill, ['a cat sat on the mat', ...sentences]);
    const [query, ...candidates] = output.embeddings;
    expect(cosineSimilarity(query!, candidates[0]!)).toBeCloseTo(1, 5);
    const ranking = rankBySimilarity(query!, candidates);
    expect(ranking[0]).toEqual({ index: 0, score: expect.closeTo(1, 5) });
    expect(ranking.map((entry) => entry.score)).toEqual([...ranking.map((entry) => entry.score)].sort((a, b) => b - a));
  });
});
