import { AutoModel, AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import type { Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel, listPresets } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const roots = new TemporaryRoots();
let root = '';

beforeAll(async () => {
  root = await roots.create();
});
afterAll(() => roots.removeAll());

async function load(id: string, dtype: 'fp32' | 'q8' = 'fp32') {
  const { directory } = await forgeModel(id, { root });
  const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
  const model = await AutoModel.from_pretrained(directory, { local_files_only: true, dtype });
  return { directory, tokenizer, model };
}

function rows(tensor: Tensor): number[][][] {
  return tensor.tolist() as number[][][];
}

function cosineSimilarity(left: Float32Array, right: Float32Array): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  left.forEach((value, index) => {
    dot += value * right[index]!;
    leftNorm += value * value;
    rightNorm += right[index]! ** 2;
  });
  return dot / Math.sqrt(leftNorm * rightNorm);
}

const bertIds = listPresets()
  .filter((preset) => preset.family === 'bert')
  .map((preset) => preset.id);

describe.each(bertIds)('tiny %s in transformers.js', (id) => {
  it('runs with outputs of the documented shapes', async () => {
    const { tokenizer, model } = await load(id);
    const inputs = tokenizer(['The quick brown fox jumps over the lazy dog.', 'Hello world'], { padding: true });
    const sequenceLength = inputs.input_ids.dims[1]!;
    const outputs = await model(inputs);
    expect(outputs.last_hidden_state.dims).toEqual([2, sequenceLength, 32]);
    expect(outputs.pooler_output.dims).toEqual([2, 32]);
    expect([...(outputs.last_hidden_state.data as Float32Array)].every(Number.isFinite)).toBe(true);
  });

  it('gives different hidden states for different sentences', async () => {
    const { tokenizer, model } = await load(id);
    const first = await model(tokenizer('the water is cold'));
    const second = await model(tokenizer('the water is warm'));
    const difference = (first.last_hidden_state.data as Float32Array).reduce(
      (total, value, index) => total + Math.abs(value - (second.last_hidden_state.data as Float32Array)[index]!),
      0,
    );
    expect(difference).toBeGreaterThan(1);
  });

  it('gives the same hidden states for real tokens with or without padding in a batch', async () => {
    const { tokenizer, model } = await load(id);
    const short = 'a short one';
    const long = 'a much longer sentence, with many more words in it than the first';
    const batched = rows((await model(tokenizer([short, long], { padding: true }))).last_hidden_state);
    const alone = rows((await model(tokenizer(short))).last_hidden_state);
    const realTokens = alone[0]!.length;
    expect(batched[0]!.length).toBeGreaterThan(realTokens);
    for (let position = 0; position < realTokens; position += 1) {
      alone[0]![position]!.forEach((value, feature) => {
        expect(Math.abs(value - batched[0]![position]![feature]!)).toBeLessThan(1e-4);
      });
    }
  });

  it('loads the int8 model_quantized.onnx for dtype q8, close to float32', async () => {
    const { tokenizer, model } = await load(id);
    const { model: quantized } = await load(id, 'q8');
    const inputs = tokenizer(['quantized file selection', 'works'], { padding: true });
    const expected = (await model(inputs)).last_hidden_state.data as Float32Array;
    const actual = (await quantized(inputs)).last_hidden_state.data as Float32Array;
    expect(actual).not.toEqual(expected);
    expect(cosineSimilarity(actual, expected)).toBeGreaterThan(0.999);
  });

  it('loads through env.localModelPath and the hub-style id', async () => {
    await forgeModel(id, { root });
    const previous = env.localModelPath;
    env.localModelPath = root;
    try {
      const tokenizer = await AutoTokenizer.from_pretrained(id);
      const model = await AutoModel.from_pretrained(id);
      expect((await model(tokenizer('by id'))).pooler_output.dims).toEqual([1, 32]);
    } finally {
      env.localModelPath = previous;
    }
  });
});

describe('tiny Xenova/all-MiniLM-L6-v2 sentence embeddings', () => {
  it('gives unit-length mean-pooled embeddings through the feature-extraction pipeline', async () => {
    const { directory } = await forgeModel('Xenova/all-MiniLM-L6-v2', { root });
    const extractor = await pipeline('feature-extraction', directory, { local_files_only: true, dtype: 'fp32' });
    const embeddings = await extractor(['first sentence', 'a second, longer sentence'], { pooling: 'mean', normalize: true });
    expect(embeddings.dims).toEqual([2, 32]);
    for (const row of embeddings.tolist() as number[][]) {
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
  });
});
