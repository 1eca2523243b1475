import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const id = 'Xenova/gpt2';
const layers = 2;
const heads = 4;
const headDim = 8;
const roots = new TemporaryRoots();
let directory = '';

beforeAll(async () => {
  ({ directory } = await forgeModel(id, { root: await roots.create() }));
});
afterAll(() => roots.removeAll());

function int64(values: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.flat(), BigInt), [values.length, values[0]!.length]);
}

function emptyCache(): Record<string, ort.Tensor> {
  const cache: Record<string, ort.Tensor> = {};
  for (let layer = 0; layer < layers; layer += 1) {
    for (const kind of ['key', 'value']) {
      cache[`past_key_values.${layer}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headDim]);
    }
  }
  return cache;
}

function presentsAsPast(outputs: ort.InferenceSession.OnnxValueMapType): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([name]) => name.startsWith('present.'))
      .map(([name, value]) => [name.replace('present.', 'past_key_values.'), value as ort.Tensor]),
  );
}

function argmaxOfLastRow(logits: Tensor): number {
  const vocabulary = logits.dims.at(-1)!;
  const data = logits.data as Float32Array;
  const last = data.subarray(data.length - vocabulary);
  return last.indexOf(Math.max(...last));
}

describe('tiny Xenova/gpt2', () => {
  it('declares the decoder inputs and outputs with fixed head count and head size', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    expect(session.inputNames).toEqual([
      'input_ids',
      'attention_mask',
      'position_ids',
      'past_key_values.0.key',
      'past_key_values.0.value',
      'past_key_values.1.key',
      'past_key_values.1.value',
    ]);
    expect(session.outputNames).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(session.inputMetadata[3]).toMatchObject({ type: 'float32', shape: ['batch_size', heads, 'past_sequence_length', headDim] });
    await session.release();
  });

  it('gives the same logits in two cached steps as in one full pass', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    const tokens = [40, 41, 42, 43, 44, 45];
    const full = await session.run({
      input_ids: int64([tokens]),
      attention_mask: int64([tokens.map(() => 1)]),
      position_ids: int64([tokens.map((_, index) => index)]),
      ...emptyCache(),
    });
    const first = await session.run({
      input_ids: int64([tokens.slice(0, 3)]),
      attention_mask: int64([[1, 1, 1]]),
      position_ids: int64([[0, 1, 2]]),
      ...emptyCache(),
    });
    const second = await session.run({
      input_ids: int64([tokens.slice(3)]),
      attention_mask: int64([tokens.map(() => 1)]),
      position_ids: int64([[3, 4, 5]]),
      ...presentsAsPast(first),
    });
    const fullLogits = full.logits!.data as Float32Array;
    const stepped = [...(first.logits!.data as Float32Array), ...(second.logits!.data as Float32Array)];
    expect(stepped).toHaveLength(fullLogits.length);
    stepped.forEach((value, index) => expect(Math.abs(value - fullLogits[index]!)).toBeLessThan(1e-4));
    expect(second['present.1.value']!.dims).toEqual([1, heads, 6, headDim]);
    await session.release();
  });

  it('generates greedily with the KV cache exactly what full forward passes pick', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const inputs = tokenizer('the quick brown fox');
    const generated = (await model.generate({ ...inputs, max_new_tokens: 12, do_sample: false })) as Tensor;
    const sequence = (generated.tolist() as bigint[][])[0]!.map(Number);

    const ids = (inputs.input_ids.tolist() as bigint[][])[0]!.map(Number);
    while (ids.length < sequence.length) {
      const inputIds = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
      const attentionMask = new Tensor('int64', BigInt64Array.from(ids, () => 1n), [1, ids.length]);
      const next = argmaxOfLastRow((await model({ input_ids: inputIds, attention_mask: attentionMask })).logits);
      ids.push(next);
      if (next === tokenizer.eos_token_id) break;
    }
    expect(sequence).toEqual(ids);
    expect(new Set(sequence.slice(-12)).size).toBeGreaterThan(1);
  });

  it('ignores left padding: a padded row gives the logits of the row alone', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const pad = tokenizer.pad_token_id!;
    const short = [50, 60, 70];
    const long = [11, 22, 33, 44, 55];
    const batch = [[pad, pad, ...short], long];
    const batched = await model({
      input_ids: new Tensor('int64', BigInt64Array.from(batch.flat(), BigInt), [2, 5]),
      attention_mask: new Tensor('int64', BigInt64Array.from([0, 0, 1, 1, 1, 1, 1, 1, 1, 1], BigInt), [2, 5]),
    });
    const alone = await model({
      input_ids: new Tensor('int64', BigInt64Array.from(short, BigInt), [1, 3]),
      attention_mask: new Tensor('int64', BigInt64Array.from([1, 1, 1], BigInt), [1, 3]),
    });
    const vocabulary = alone.logits.dims[2]!;
    const paddedRow = (batched.logits.data as Float32Array).subarray(2 * vocabulary, 5 * vocabulary);
    const aloneRow = alone.logits.data as Float32Array;
    paddedRow.forEach((value, index) => expect(Math.abs(value - aloneRow[index]!)).toBeLessThan(1e-4));
  });

  it('round-trips text through its byte-level BPE tokenizer and runs the int8 model', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const text = 'Hello, world! Ünïcödé and emoji 🚀 survive.';
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    const model = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype: 'q8' });
    const generated = (await model.generate({ ...tokenizer('hello'), max_new_tokens: 4, do_sample: false })) as Tensor;
    expect(generated.dims[1]).toBeGreaterThan(1);
  });
});
