import { AutoModel, AutoTokenizer, env, type Tensor } from '@huggingface/transformers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel } from '../src/index.js';
import { findPreset } from '../src/presets.js';
import { expectClose } from './helpers/causal-decoder.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const roots = new TemporaryRoots();
afterAll(() => roots.removeAll());

const encoders = [
  { id: 'Xenova/distilbert-base-uncased', modelType: 'distilbert', className: 'DistilBertModel', first: 2, last: 3, full: { dim: 768, n_layers: 6, vocab_size: 30522 } },
  { id: 'Xenova/all-distilroberta-v1', modelType: 'roberta', className: 'RobertaModel', first: 0, last: 2, full: { hidden_size: 768, num_hidden_layers: 6, vocab_size: 50265, max_position_embeddings: 514 } },
  { id: 'Xenova/all-mpnet-base-v2', modelType: 'mpnet', className: 'MPNetModel', first: 0, last: 2, full: { hidden_size: 768, num_hidden_layers: 12, vocab_size: 30527, relative_attention_num_buckets: 32 } },
  { id: 'Xenova/paraphrase-multilingual-mpnet-base-v2', modelType: 'xlm-roberta', className: 'XLMRobertaModel', first: 0, last: 2, full: { hidden_size: 768, num_hidden_layers: 12, vocab_size: 250002 } },
];

describe.each(encoders)('tiny $id ($modelType)', ({ id, modelType, className, first, last, full }) => {
  let directory = '';
  beforeAll(async () => {
    ({ directory } = await forgeModel(id, { root: await roots.create() }));
  });

  async function load() {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModel.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    return { tokenizer, model };
  }

  it(`loads as ${className} with input_ids and attention_mask in, last_hidden_state out`, async () => {
    const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: modelType, architectures: [className] });
    const { model } = await load();
    expect(model.constructor.name).toBe(className);
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(session.outputNames).toEqual(['last_hidden_state']);
    await session.release();
  });

  it('wraps a text in its specials and round-trips it', async () => {
    const { tokenizer } = await load();
    const ids = tokenizer.encode('the quick brown fox');
    expect([ids[0], ids.at(-1)]).toEqual([first, last]);
    const text = modelType === 'distilbert' || modelType === 'mpnet' ? 'the quick brown fox' : 'The quick brown fox, déjà vu!';
    expect(tokenizer.decode(tokenizer.encode(text), { skip_special_tokens: true })).toBe(text);
  });

  it('gives a padded row the hidden states of the row alone, and different texts different states', async () => {
    const { tokenizer, model } = await load();
    const texts = ['a cat', 'the quick brown fox jumps over the lazy dog'];
    const batched = (await model(tokenizer(texts, { padding: true }))).last_hidden_state as Tensor;
    const alone = (await model(tokenizer(texts[0]!))).last_hidden_state as Tensor;
    const [, length, hidden] = alone.dims as [number, number, number];
    expectClose((batched.data as Float32Array).subarray(0, length * hidden), alone.data as Float32Array, 1e-4);
    const other = (batched.data as Float32Array).subarray(batched.dims[1]! * hidden, batched.dims[1]! * hidden + length * hidden);
    const difference = other.reduce((total, value, index) => total + Math.abs(value - (alone.data as Float32Array)[index]!), 0);
    expect(difference).toBeGreaterThan(1);
  });

  it('runs the int8 model (dtype q8) close to the float one', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const quantized = await AutoModel.from_pretrained(directory, { local_files_only: true, dtype: 'q8' });
    const float = await AutoModel.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const inputs = tokenizer('the quick brown fox jumps over the lazy dog');
    const a = ((await float(inputs)).last_hidden_state as Tensor).data as Float32Array;
    const b = ((await quantized(inputs)).last_hidden_state as Tensor).data as Float32Array;
    const dot = a.reduce((total, value, index) => total + value * b[index]!, 0);
    const norm = (values: Float32Array) => Math.sqrt(values.reduce((total, value) => total + value * value, 0));
    expect(dot / (norm(a) * norm(b))).toBeGreaterThan(0.99);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(false);
  });

  it('describes the full-size model without writing it', () => {
    const files = findPreset(id).files('full');
    const config = JSON.parse(new TextDecoder().decode(files.find((file) => file.path === 'config.json')!.content.chunks[0] as Uint8Array)) as Record<string, unknown>;
    expect(config).toMatchObject(full);
  });
});
