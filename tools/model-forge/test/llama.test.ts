import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../src/presets.js';
import { forgeModel } from '../src/index.js';
import { emptyCache, expectClose, greedyGenerate, greedyWithoutCache, int64, presentsAsPast } from './helpers/causal-decoder.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const id = 'HuggingFaceTB/SmolLM2-135M-Instruct';
const layers = 2;
const keyValueHeads = 2;
const headDim = 16;
const endOfTurn = 2;
const roots = new TemporaryRoots();
let directory = '';

beforeAll(async () => {
  ({ directory } = await forgeModel(id, { root: await roots.create() }));
});
afterAll(() => roots.removeAll());

async function load(dtype: 'fp32' | 'q8' = 'fp32') {
  const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
  const model = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype });
  return { tokenizer, model };
}

function positions(...rows: number[][]) {
  return int64(rows);
}

describe('tiny HuggingFaceTB/SmolLM2-135M-Instruct (llama)', () => {
  it('declares the decoder inputs and a cache with the key/value head count and head_dim as fixed integers', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    expect(session.inputNames.slice(0, 4)).toEqual(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key']);
    expect(session.outputNames).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(session.inputMetadata[3]).toMatchObject({ type: 'float32', shape: ['batch_size', keyValueHeads, 'past_sequence_length', headDim] });
    await session.release();
  });

  it('gives the same logits in two cached steps as in one full pass (RoPE from position_ids)', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    const tokens = [40, 41, 42, 43, 44, 45];
    const full = await session.run({ input_ids: int64([tokens]), attention_mask: int64([tokens.map(() => 1)]), position_ids: positions([0, 1, 2, 3, 4, 5]), ...emptyCache(layers, keyValueHeads, headDim) });
    const first = await session.run({ input_ids: int64([tokens.slice(0, 3)]), attention_mask: int64([[1, 1, 1]]), position_ids: positions([0, 1, 2]), ...emptyCache(layers, keyValueHeads, headDim) });
    const second = await session.run({ input_ids: int64([tokens.slice(3)]), attention_mask: int64([tokens.map(() => 1)]), position_ids: positions([3, 4, 5]), ...presentsAsPast(first) });
    expectClose([...(first.logits!.data as Float32Array), ...(second.logits!.data as Float32Array)], full.logits!.data as Float32Array, 1e-4);
    expect(second['present.1.key']!.dims).toEqual([1, keyValueHeads, 6, headDim]);
    await session.release();
  });

  it('depends on positions: shifted position_ids change the logits', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    const feeds = { input_ids: int64([[40, 41, 42]]), attention_mask: int64([[1, 1, 1]]), ...emptyCache(layers, keyValueHeads, headDim) };
    const base = await session.run({ ...feeds, position_ids: positions([0, 1, 2]) });
    const shifted = await session.run({ ...feeds, position_ids: positions([0, 2, 4]) });
    const difference = (base.logits!.data as Float32Array).reduce((total, value, index) => total + Math.abs(value - (shifted.logits!.data as Float32Array)[index]!), 0);
    expect(difference).toBeGreaterThan(1e-2);
    await session.release();
  });

  it('ignores left padding: a padded row gives the logits of the row alone (transformers.js position ids)', async () => {
    const { model } = await load();
    const short = [50, 60, 70];
    const batched = await model({
      input_ids: new Tensor('int64', BigInt64Array.from([endOfTurn, endOfTurn, ...short, 11, 22, 33, 44, 55], BigInt), [2, 5]),
      attention_mask: new Tensor('int64', BigInt64Array.from([0, 0, 1, 1, 1, 1, 1, 1, 1, 1], BigInt), [2, 5]),
    });
    const alone = await model({
      input_ids: new Tensor('int64', BigInt64Array.from(short, BigInt), [1, 3]),
      attention_mask: new Tensor('int64', BigInt64Array.from([1, 1, 1], BigInt), [1, 3]),
    });
    const vocabulary = (alone.logits as Tensor).dims[2]!;
    expectClose(((batched.logits as Tensor).data as Float32Array).subarray(2 * vocabulary, 5 * vocabulary), (alone.logits as Tensor).data as Float32Array, 1e-4);
  });

  it('generates greedily with the KV cache what full forward passes pick, alone and inside a left-padded batch', async () => {
    const { tokenizer, model } = await load();
    const prompt = tokenizer.encode('the quick brown fox');
    const other = tokenizer.encode('a much longer prompt, with more words than the first one');
    const reference = await greedyWithoutCache(model, prompt, 12, endOfTurn);
    const [alone] = await greedyGenerate(model, [prompt], endOfTurn, 12, endOfTurn);
    const [batched] = await greedyGenerate(model, [prompt, other], endOfTurn, 12, endOfTurn);
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

  it('formats chats with its ChatML template, with the specials as single tokens', async () => {
    const { tokenizer } = await load();
    const chat = [{ role: 'user', content: 'hi there' }];
    const text = tokenizer.apply_chat_template(chat, { tokenize: false, add_generation_prompt: true }) as string;
    expect(text).toBe('<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nhi there<|im_end|>\n<|im_start|>assistant\n');
    const ids = tokenizer.apply_chat_template(chat, { add_generation_prompt: true, return_tensor: false, return_dict: false }) as number[];
    expect(ids[0]).toBe(1);
    expect(ids.filter((token) => token === endOfTurn)).toHaveLength(2);
    expect(tokenizer.eos_token_id).toBe(endOfTurn);
  });

  it('round-trips text and runs the int8 model', async () => {
    const { tokenizer, model } = await load('q8');
    const text = 'Hello, world! Ünïcödé 🚀';
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    const generated = (await model.generate({ ...tokenizer('hello'), max_new_tokens: 4, do_sample: false })) as Tensor;
    expect(generated.dims[1]).toBeGreaterThan(1);
  });

  it('describes SmolLM2-135M at full size without writing it', () => {
    const files = findPreset(id).files('full');
    const config = JSON.parse(new TextDecoder().decode(files.find((file) => file.path === 'config.json')!.content.chunks[0] as Uint8Array)) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'llama', hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, head_dim: 64, intermediate_size: 1536, vocab_size: 49152 });
    const weights = files.find((file) => file.path === 'onnx/model.onnx')!.content.byteLength;
    // ≈135M float32 parameters, plus the tied lm_head stored again (28M).
    expect(weights / 4 / 1e6).toBeGreaterThan(134);
    expect(weights / 4 / 1e6).toBeLessThan(170);
  });
});
