import { AutoProcessor, AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import type { Tensor } from '@huggingface/transformers';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel, wav2vec2FrameCount, wav2vec2Vocabulary } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const id = 'Xenova/wav2vec2-base-960h';
const roots = new TemporaryRoots();
let directory = '';

beforeAll(async () => {
  ({ directory } = await forgeModel(id, { root: await roots.create() }));
});
afterAll(() => roots.removeAll());

const kernels = [10, 3, 3, 3, 3, 2, 2];
const strides = [5, 2, 2, 2, 2, 2, 2];
const signal = (length: number, frequency = 220) => Float32Array.from({ length }, (_, index) => 0.5 * Math.sin((2 * Math.PI * frequency * index) / 16_000) + 0.1 * Math.sin(index * 0.37));

describe('tiny Xenova/wav2vec2-base-960h', () => {
  it('maps T samples to floor((T − 400) / 320) + 1 frames of logits and hidden states', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    expect(session.inputNames).toEqual(['input_values']);
    expect(session.outputNames).toEqual(['logits', 'last_hidden_state']);
    for (const length of [400, 16_000, 12_345, 48_000]) {
      const outputs = await session.run({ input_values: new ort.Tensor('float32', signal(length), [1, length]) });
      const frames = wav2vec2FrameCount(length, kernels, strides);
      expect(frames).toBe(Math.floor((length - 400) / 320) + 1);
      expect(outputs.logits!.dims).toEqual([1, frames, wav2vec2Vocabulary.length]);
      expect(outputs.last_hidden_state!.dims).toEqual([1, frames, 32]);
    }
    await session.release();
  });

  it('gives logits that depend on the input, identical for a row alone and in a batch', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    const first = signal(8_000, 220);
    const second = signal(8_000, 880);
    const batched = await session.run({ input_values: new ort.Tensor('float32', new Float32Array([...first, ...second]), [2, 8_000]) });
    const logits = batched.logits!.data as Float32Array;
    const half = logits.length / 2;
    const alone = (await session.run({ input_values: new ort.Tensor('float32', second, [1, 8_000]) })).logits!.data as Float32Array;
    alone.forEach((value, index) => expect(Math.abs(value - logits[half + index]!)).toBeLessThan(1e-4));
    const difference = alone.reduce((sum, value, index) => sum + Math.abs(value - logits[index]!), 0);
    expect(difference / half).toBeGreaterThan(1e-2);
    await session.release();
  });

  it('loads its CTC tokenizer in transformers.js: repeats collapse, <pad> separates, | is a space', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const ids = (text: string) => [...text].map((character) => wav2vec2Vocabulary.indexOf(character === '_' ? '<pad>' : character));
    expect(tokenizer.decode(ids('HH_EE_LL_L_OOO||W_ORLD'))).toBe('HELLO WORLD');
    expect(tokenizer.pad_token_id).toBe(0);
  });

  it('runs in the automatic-speech-recognition pipeline, with the processor normalising the input', async () => {
    const processor = await AutoProcessor.from_pretrained(directory, { local_files_only: true });
    const { input_values } = (await processor(signal(16_000))) as { input_values: Tensor };
    const values = input_values.data as Float32Array;
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    const recognizer = await pipeline('automatic-speech-recognition', directory, { local_files_only: true, dtype: 'fp32' });
    const output = (await recognizer(signal(32_000))) as { text: string };
    expect(typeof output.text).toBe('string');
    expect(output.text).toMatch(/^[A-Z' ]*$/);
    await recognizer.dispose();
  });
});

describe('full-size Xenova/wav2vec2-base-960h (files planned, not written)', () => {
  it('has the real conv encoder, transformer and vocabulary sizes', async () => {
    const { presets } = await import('../src/presets.js');
    const files = presets.find((preset) => preset.id === id)!.files('full');
    const config = JSON.parse(new TextDecoder().decode(files.find((file) => file.path === 'config.json')!.content.chunks[0] as Uint8Array)) as Record<string, unknown>;
    expect(config).toMatchObject({ conv_dim: [512, 512, 512, 512, 512, 512, 512], conv_kernel: kernels, conv_stride: strides, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, vocab_size: 32 });
    const model = files.find((file) => file.path === 'onnx/model.onnx')!;
    expect(model.content.byteLength).toBeGreaterThan(350 * 1024 * 1024);
  });
});
