import { AutoModelForCausalLM, AutoTokenizer, env, type Tensor } from '@huggingface/transformers';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../src/presets.js';
import { forgeModel } from '../src/index.js';
import { emptyCache, expectClose, greedyGenerate, greedyWithoutCache, int64, presentsAsPast } from './helpers/causal-decoder.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const id = 'Xenova/opt-125m';
const layers = 2;
const heads = 4;
const headDim = 8;
const endOfSequence = 2;
const pad = 1;
const roots = new TemporaryRoots();
let directory = '';

beforeAll(async () => {
  ({ directory } = await forgeModel(id, { root: await roots.create() }));
});
afterAll(() => roots.removeAll());

async function load(dtype: 'fp32' | 'q8' = 'fp32') {
  const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
  // The file name Xenova/opt-125m's export uses; transformers.js users pass it the same way.
  const model = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype, model_file_name: 'decoder_model_merged' });
  return { tokenizer, model };
}

describe('tiny Xenova/opt-125m', () => {
  it('declares the OPT decoder inputs (no position_ids) and outputs with fixed head count and head size', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/decoder_model_merged.onnx'));
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', ...Array.from({ length: layers }, (_, layer) => [`past_key_values.${layer}.key`, `past_key_values.${layer}.value`]).flat()]);
    expect(session.outputNames).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(session.inputMetadata[2]).toMatchObject({ type: 'float32', shape: ['batch_size', heads, 'past_sequence_length', headDim] });
    await session.release();
  });

  it('gives the same logits in two cached steps as in one full pass', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/decoder_model_merged.onnx'));
    const tokens = [2, 40, 41, 42, 43, 44, 45];
    const full = await session.run({ input_ids: int64([tokens]), attention_mask: int64([tokens.map(() => 1)]), ...emptyCache(layers, heads, headDim) });
    const first = await session.run({ input_ids: int64([tokens.slice(0, 4)]), attention_mask: int64([[1, 1, 1, 1]]), ...emptyCache(layers, heads, headDim) });
    const second = await session.run({ input_ids: int64([tokens.slice(4)]), attention_mask: int64([tokens.map(() => 1)]), ...presentsAsPast(first) });
    expectClose([...(first.logits!.data as Float32Array), ...(second.logits!.data as Float32Array)], full.logits!.data as Float32Array, 1e-4);
    expect(second['present.1.value']!.dims).toEqual([1, heads, tokens.length, headDim]);
    await session.release();
  });

  it('reads positions from the attention mask with the offset of 2: left padding does not shift a row', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/decoder_model_merged.onnx'));
    const short = [2, 50, 60, 70];
    const alone = await session.run({ input_ids: int64([short]), attention_mask: int64([[1, 1, 1, 1]]), ...emptyCache(layers, heads, headDim) });
    const padded = await session.run({
      input_ids: int64([[pad, pad, ...short], [2, 11, 22, 33, 44, 55]]),
      attention_mask: int64([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]]),
      ...emptyCache(layers, heads, headDim, 2),
    });
    const vocabulary = alone.logits!.dims[2]!;
    expectClose((padded.logits!.data as Float32Array).subarray(2 * vocabulary, 6 * vocabulary), alone.logits!.data as Float32Array, 1e-4);
    // A cached step of the padded batch still matches the row alone.
    const next = await session.run({ input_ids: int64([[80], [90]]), attention_mask: int64([[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]]), ...presentsAsPast(padded) });
    const nextAlone = await session.run({ input_ids: int64([[80]]), attention_mask: int64([[1, 1, 1, 1, 1]]), ...presentsAsPast(alone) });
    expectClose((next.logits!.data as Float32Array).subarray(0, vocabulary), nextAlone.logits!.data as Float32Array, 1e-4);
    await session.release();
  });

  it('generates greedily with the KV cache what full forward passes pick, alone and inside a left-padded batch', async () => {
    const { tokenizer, model } = await load();
    const prompt = (tokenizer('the quick brown fox').input_ids.tolist() as bigint[][])[0]!.map(Number);
    const other = (tokenizer('a much longer prompt, with more words than the first one').input_ids.tolist() as bigint[][])[0]!.map(Number);
    const reference = await greedyWithoutCache(model, prompt, 12, endOfSequence);
    const [alone] = await greedyGenerate(model, [prompt], pad, 12, endOfSequence);
    const [batched] = await greedyGenerate(model, [prompt, other], pad, 12, endOfSequence);
    expect(alone).toEqual(reference);
    expect(batched).toEqual(reference);
    expect(new Set(reference).size).toBeGreaterThan(1);
  });

  it('gives different logits for different inputs', async () => {
    const { tokenizer, model } = await load();
    const first = (await model(tokenizer('the water is cold'))).logits as Tensor;
    const second = (await model(tokenizer('the water is warm'))).logits as Tensor;
    const difference = (first.data as Float32Array).reduce((total, value, index) => total + Math.abs(value - (second.data as Float32Array)[index]!), 0);
    expect(difference).toBeGreaterThan(1);
  });

  it('puts </s> before every text, round-trips text, and runs the int8 model', async () => {
    const { tokenizer, model } = await load('q8');
    const ids = tokenizer.encode('Hello, world! Ünïcödé 🚀');
    expect(ids[0]).toBe(endOfSequence);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe('Hello, world! Ünïcödé 🚀');
    expect(tokenizer.pad_token_id).toBe(pad);
    expect(tokenizer.eos_token_id).toBe(endOfSequence);
    const generated = (await model.generate({ ...tokenizer('hello'), max_new_tokens: 4, do_sample: false })) as Tensor;
    expect(generated.dims[1]).toBeGreaterThan(2);
  });

  it('describes opt-125m at full size without writing it', () => {
    const files = findPreset(id).files('full');
    const config = JSON.parse(new TextDecoder().decode(files.find((file) => file.path === 'config.json')!.content.chunks[0] as Uint8Array)) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'opt', hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, ffn_dim: 3072, vocab_size: 50272, max_position_embeddings: 2048 });
    const weights = files.find((file) => file.path === 'onnx/decoder_model_merged.onnx')!.content.byteLength;
    // ≈125M float32 parameters (the tied lm_head is stored again, as exports store it).
    expect(weights / 4 / 1e6).toBeGreaterThan(125);
    expect(weights / 4 / 1e6).toBeLessThan(170);
  });
});
