import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let accel: Accel;

const norm = (vector: Float32Array) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));

beforeAll(async () => {
  const { directory } = await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot });
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [bertSkill] });
  accel.addEndpoint({ id: 'full', skill: bertSkill, model: directory });
  accel.addEndpoint({ id: 'short', skill: bertSkill, model: directory, contextLength: 8 });
  await accel.init();
});

afterAll(() => accel.dispose());

describe('bert embeddings', () => {
  it('gives identical embeddings for identical inputs and different ones for different inputs', async () => {
    const { output } = await accel.infer(bertSkill, ['a cat', 'a cat', 'a dog'], { endpoint: 'full' });
    expect(Array.from(output.embeddings[0]!)).toEqual(Array.from(output.embeddings[1]!));
    expect(Array.from(output.embeddings[0]!)).not.toEqual(Array.from(output.embeddings[2]!));
  });

  it('pools by cls or mean, and normalises on request', async () => {
    const mean = (await accel.infer(bertSkill, 'the cat sat', { endpoint: 'full' })).output.embeddings[0]!;
    const cls = (await accel.infer(bertSkill, 'the cat sat', { endpoint: 'full', pooling: 'cls' })).output.embeddings[0]!;
    const normalized = (await accel.infer(bertSkill, 'the cat sat', { endpoint: 'full', normalize: true })).output.embeddings[0]!;
    expect(Array.from(cls)).not.toEqual(Array.from(mean));
    expect(norm(normalized)).toBeCloseTo(1, 5);
    normalized.forEach((value, index) => expect(value).toBeCloseTo(mean[index]! / norm(mean), 5));
  });

  it('truncates text longer than the context length and records it in the provenance', async () => {
    const long = 'the cat sat on the mat and looked at the dog for a long time';
    const { output, provenance } = await accel.infer(bertSkill, ['short text', long], { endpoint: 'short' });
    expect(output.embeddings).toHaveLength(2);
    expect(provenance.notes).toEqual([{ kind: 'truncated', item: 1, message: expect.stringMatching(/to 8 tokens/) }]);
    const cut = (await accel.infer(bertSkill, 'the cat sat on the mat and', { endpoint: 'full' })).output.embeddings[0]!;
    expect(Array.from(cut).length).toBe(32);
  });

  it('runs on a worker thread by default, with the same result as on the calling thread', async () => {
    const { directory } = await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot });
    const inline = new Accel({ backends: [createCpuBackend({ threads: 1 })] });
    inline.addEndpoint({ skill: bertSkill, model: directory, isolation: 'inline' });
    const onThread = await inline.infer(bertSkill, ['a cat', 'a dog']);
    const onWorker = await accel.infer(bertSkill, ['a cat', 'a dog'], { endpoint: 'full' });
    expect(onWorker.provenance.isolation).toBe('worker');
    expect(onThread.provenance.isolation).toBe('inline');
    expect(onWorker.output.embeddings.map((row) => Array.from(row))).toEqual(onThread.output.embeddings.map((row) => Array.from(row)));
    expect(accel.status().map((status) => [status.isolation, status.threads])).toEqual([
      ['worker', 1],
      ['worker', 1],
    ]);
    await inline.dispose();
  });

  it('serves from replicas side by side: a batch is split between them, with the same values as one copy', async () => {
    const { directory } = await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot });
    const texts = Array.from({ length: 12 }, (_, index) => `sentence number ${index} about a cat`);
    const replicated = new Accel({ backends: [createCpuBackend()], threads: 2, skills: [bertSkill] });
    replicated.addEndpoint({ skill: bertSkill, model: directory, replicas: 2 });
    const [status] = await replicated.init();
    expect(status).toMatchObject({ state: 'ready', isolation: 'worker', replicas: 2, threads: 1 });
    const split = await replicated.infer(bertSkill, texts);
    expect(split.provenance.batchSizes).toEqual([6, 6]);
    const whole = await accel.infer(bertSkill, texts, { endpoint: 'full' });
    expect(whole.provenance.batchSizes).toEqual([12]);
    split.output.embeddings.forEach((row, index) => {
      const expected = whole.output.embeddings[index]!;
      row.forEach((value, unit) => expect(value).toBeCloseTo(expected[unit]!, 5));
    });
    await replicated.dispose();
  });

  it('loads fewer replicas than asked when the thread share is smaller, and refuses replicas inline', async () => {
    const { directory } = await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot });
    const small = new Accel({ backends: [createCpuBackend()], threads: 1, skills: [bertSkill] });
    small.addEndpoint({ skill: bertSkill, model: directory, replicas: 4 });
    expect((await small.init())[0]).toMatchObject({ state: 'ready', replicas: 1, threads: 1 });
    expect((await small.infer(bertSkill, ['a', 'b', 'c'])).provenance.batchSizes).toEqual([3]);
    expect(() => small.addEndpoint({ skill: bertSkill, model: directory, replicas: 2, isolation: 'inline' })).toThrow(InvalidInputError);
    expect(() => small.addEndpoint({ skill: bertSkill, model: directory, replicas: 0 })).toThrow(InvalidInputError);
    await small.dispose();
  });

  it('names cpu, fp32 and the model file in the provenance', async () => {
    const { provenance } = await accel.infer(bertSkill, 'hello', { endpoint: 'full' });
    expect(provenance).toMatchObject({ backend: 'cpu', device: 'cpu', dtype: 'fp32', runtime: 'onnxruntime-node 1.30.0' });
    expect(provenance.model.files).toContain('onnx/model.onnx');
  });
});
