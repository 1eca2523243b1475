import type { Tensor } from '@huggingface/transformers';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel } from '../src/index.js';
import { findPreset } from '../src/presets.js';
import { emptyCache, expectClose, greedyGenerate, greedyWithoutCache, int64, presentsAsPast } from './helpers/causal-decoder.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const layers = 2;
const keyValueHeads = 2;
const headDim = 8;
const roots = new TemporaryRoots();
afterAll(() => roots.removeAll());

const variants = [
  { id: 'onnx-community/Qwen2.5-0.5B-Instruct', modelType: 'qwen2', className: 'Qwen2ForCausalLM', endOfSequence: 558, pad: 556 },
  { id: 'Felladrin/onnx-TinyMistral-248M-Chat-v2', modelType: 'mistral', className: 'MistralForCausalLM', endOfSequence: 2, pad: 2 },
];

describe.each(variants)('tiny $id ($modelType)', ({ id, modelType, className, endOfSequence, pad }) => {
  let directory = '';
  beforeAll(async () => {
    ({ directory } = await forgeModel(id, { root: await roots.create() }));
  });

  async function load(dtype: 'fp32' | 'q8' = 'fp32') {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype });
    return { tokenizer, model };
  }

  it(`loads as ${className} with the cache's key/value heads and head size as fixed integers`, async () => {
    const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: modelType, architectures: [className], num_key_value_heads: keyValueHeads });
    const { model } = await load();
    expect(model.constructor.name).toBe(className);
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    expect(session.inputNames.slice(0, 4)).toEqual(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key']);
    expect(session.inputMetadata[3]).toMatchObject({ type: 'float32', shape: ['batch_size', keyValueHeads, 'past_sequence_length', headDim] });
    await session.release();
  });

  it('gives the same logits in two cached steps as in one full pass', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    const tokens = Array.from({ length: 14 }, (_, index) => 40 + index);
    const positions = (from: number, to: number) => int64([Array.from({ length: to - from }, (_, index) => from + index)]);
    const full = await session.run({ input_ids: int64([tokens]), attention_mask: int64([tokens.map(() => 1)]), position_ids: positions(0, 14), ...emptyCache(layers, keyValueHeads, headDim) });
    const first = await session.run({ input_ids: int64([tokens.slice(0, 9)]), attention_mask: int64([tokens.slice(0, 9).map(() => 1)]), position_ids: positions(0, 9), ...emptyCache(layers, keyValueHeads, headDim) });
    const second = await session.run({ input_ids: int64([tokens.slice(9)]), attention_mask: int64([tokens.map(() => 1)]), position_ids: positions(9, 14), ...presentsAsPast(first) });
    expectClose([...(first.logits!.data as Float32Array), ...(second.logits!.data as Float32Array)], full.logits!.data as Float32Array, 1e-4);
    await session.release();
  });

  it('ignores left padding and generates greedily with the cache what full passes pick', async () => {
    const { tokenizer, model } = await load();
    const prompt = tokenizer.encode('the quick brown fox');
    const other = tokenizer.encode('a much longer prompt, with more words than the first one');
    const reference = await greedyWithoutCache(model, prompt, 12, endOfSequence);
    const [alone] = await greedyGenerate(model, [prompt], pad, 12, endOfSequence);
    const [batched] = await greedyGenerate(model, [prompt, other], pad, 12, endOfSequence);
    expect(alone).toEqual(reference);
    expect(batched).toEqual(reference);
    // Random tied weights often settle on one repeated token; the continuation must still depend on the prompt.
    expect(await greedyWithoutCache(model, other, 12, endOfSequence)).not.toEqual(reference);
  });

  it('formats chats with its template, the specials as single tokens, and runs the int8 model', async () => {
    const { tokenizer, model } = await load('q8');
    const ids = tokenizer.apply_chat_template([{ role: 'user', content: 'hi there' }], { add_generation_prompt: true, return_tensor: false, return_dict: false }) as number[];
    const specials = modelType === 'qwen2' ? [557, 558] : [1];
    for (const special of specials) expect(ids).toContain(special);
    const text = 'Hello, world! Ünïcödé 🚀';
    expect(tokenizer.decode(tokenizer.encode(text), { skip_special_tokens: true })).toBe(text);
    const generated = (await model.generate({ ...tokenizer('hello'), max_new_tokens: 4, do_sample: false })) as Tensor;
    expect(generated.dims[1]).toBeGreaterThan(1);
  });

  if (modelType === 'mistral') {
    it('attends within its sliding window: with 2 layers of window 8, token 0 no longer reaches position 15', async () => {
      const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
      const run = (first: number) => {
        const tokens = [first, ...Array.from({ length: 17 }, (_, index) => 60 + index)];
        return session.run({ input_ids: int64([tokens]), attention_mask: int64([tokens.map(() => 1)]), position_ids: int64([tokens.map((_, index) => index)]), ...emptyCache(layers, keyValueHeads, headDim) });
      };
      const [base, changed] = [await run(40), await run(41)];
      const vocabulary = base.logits!.dims[2]!;
      const row = (logits: ort.Tensor, position: number) => (logits.data as Float32Array).subarray(position * vocabulary, (position + 1) * vocabulary);
      const difference = (position: number) => row(base.logits!, position).reduce((total, value, index) => total + Math.abs(value - row(changed.logits!, position)[index]!), 0);
      expect(difference(7)).toBeGreaterThan(1e-3);
      expect(difference(14)).toBeGreaterThan(1e-3);
      expect(difference(15)).toBe(0);
      expect(difference(17)).toBe(0);
      await session.release();
    });
  }

  it('describes the full-size model without writing it', () => {
    const files = findPreset(id).files('full');
    const config = JSON.parse(new TextDecoder().decode(files.find((file) => file.path === 'config.json')!.content.chunks[0] as Uint8Array)) as Record<string, unknown>;
    expect(config).toMatchObject(
      modelType === 'qwen2'
        ? { hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, intermediate_size: 4864, vocab_size: 151936 }
        : { hidden_size: 1024, num_hidden_layers: 12, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 4096, vocab_size: 32005, sliding_window: 32 },
    );
  });
});
