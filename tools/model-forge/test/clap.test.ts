import { AutoFeatureExtractor, AutoModel, AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import type { Tensor } from '@huggingface/transformers';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const id = 'Xenova/clap-htsat-unfused';
const roots = new TemporaryRoots();
let directory = '';

beforeAll(async () => {
  ({ directory } = await forgeModel(id, { root: await roots.create() }));
});
afterAll(() => roots.removeAll());

const rate = 48_000;
const tone = (frequency: number, seconds: number) => Float32Array.from({ length: Math.round(rate * seconds) }, (_, index) => 0.4 * Math.sin((2 * Math.PI * frequency * index) / rate));
const chirp = (seconds: number) => Float32Array.from({ length: Math.round(rate * seconds) }, (_, index) => 0.4 * Math.sin((2 * Math.PI * (200 + (index / rate) * 2000) * index) / rate));

const data = (tensor: Tensor) => tensor.data as Float32Array;
const norm = (values: Float32Array) => Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));

describe('tiny Xenova/clap-htsat-unfused', () => {
  it('writes the ClapModel folder', async () => {
    const forged = await forgeModel(id, { root: join(directory, '../..') });
    expect(forged.files).toEqual(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']);
    expect(forged.bytes).toBeLessThan(700 * 1024);
  });

  it('declares the text, audio and similarity inputs and outputs', async () => {
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'input_features']);
    expect(session.outputNames).toEqual(['logits_per_audio', 'logits_per_text', 'text_embeds', 'audio_embeds']);
    await session.release();
  });

  it('tokenises like RoBERTa and extracts [1, 1, 101, 64] features from the tiny 1 s window at 48 kHz', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const ids = tokenizer.encode('This is a sound of a dog.');
    expect(ids[0]).toBe(0);
    expect(ids.at(-1)).toBe(2);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe('This is a sound of a dog.');
    expect(tokenizer.pad_token_id).toBe(1);
    const extractor = await AutoFeatureExtractor.from_pretrained(directory, { local_files_only: true });
    const { input_features } = (await extractor(tone(440, 1))) as { input_features: Tensor };
    expect(input_features.dims).toEqual([1, 1, 101, 64]);
  });

  it('runs as ClapModel in transformers.js: unit embeddings, logits = scale · cosine, outputs that depend on inputs', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const extractor = await AutoFeatureExtractor.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModel.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const texts = tokenizer(['a dog barking', 'music', 'rain falling on a roof'], { padding: true });
    const first = (await extractor(tone(440, 0.6))) as { input_features: Tensor };
    const second = (await extractor(chirp(1))) as { input_features: Tensor };
    const outputs = await model({ ...texts, input_features: first.input_features });
    expect(outputs.logits_per_audio.dims).toEqual([1, 3]);
    expect(outputs.logits_per_text.dims).toEqual([3, 1]);
    expect(outputs.text_embeds.dims).toEqual([3, 16]);
    expect(outputs.audio_embeds.dims).toEqual([1, 16]);
    const audio = data(outputs.audio_embeds);
    expect(norm(audio)).toBeCloseTo(1, 5);
    for (let text = 0; text < 3; text += 1) {
      const embedding = data(outputs.text_embeds).subarray(text * 16, text * 16 + 16);
      expect(norm(embedding)).toBeCloseTo(1, 5);
      const cosine = embedding.reduce((sum, value, index) => sum + value * audio[index]!, 0);
      expect(data(outputs.logits_per_audio)[text]).toBeCloseTo(cosine / 0.07, 4);
      expect(data(outputs.logits_per_text)[text]).toBeCloseTo(cosine / 0.07, 4);
    }
    const texts0 = data(outputs.text_embeds);
    expect(texts0.subarray(0, 16)).not.toEqual(texts0.subarray(16, 32));
    const other = await model({ ...texts, input_features: second.input_features });
    const difference = data(other.audio_embeds).reduce((sum, value, index) => sum + Math.abs(value - audio[index]!), 0);
    expect(difference).toBeGreaterThan(1e-2);
  });

  it('gives the same audio embedding alone as in a batch, and q8 stays close to fp32', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const extractor = await AutoFeatureExtractor.from_pretrained(directory, { local_files_only: true });
    const features = await Promise.all([tone(440, 0.7), chirp(1)].map(async (audio) => ((await extractor(audio)) as { input_features: Tensor }).input_features));
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    const quantized = await ort.InferenceSession.create(join(directory, 'onnx/model_quantized.onnx'));
    const { input_ids, attention_mask } = tokenizer(['a sound'], { return_tensor: false }) as unknown as { input_ids: number[][]; attention_mask: number[][] };
    const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0]!.length]);
    const text = { input_ids: int64(input_ids), attention_mask: int64(attention_mask) };
    const stacked = new Float32Array([...(features[0]!.data as Float32Array), ...(features[1]!.data as Float32Array)]);
    const batched = await session.run({ ...text, input_features: new ort.Tensor('float32', stacked, [2, 1, 101, 64]) });
    for (const [index, feature] of features.entries()) {
      const alone = await session.run({ ...text, input_features: new ort.Tensor('float32', feature.data as Float32Array, [1, 1, 101, 64]) });
      const single = alone.audio_embeds!.data as Float32Array;
      const fromBatch = (batched.audio_embeds!.data as Float32Array).subarray(index * 16, index * 16 + 16);
      single.forEach((value, unit) => expect(Math.abs(value - fromBatch[unit]!)).toBeLessThan(1e-4));
      const approximate = (await quantized.run({ ...text, input_features: new ort.Tensor('float32', feature.data as Float32Array, [1, 1, 101, 64]) })).audio_embeds!.data as Float32Array;
      expect(approximate.reduce((sum, value, unit) => sum + value * single[unit]!, 0)).toBeGreaterThan(0.98);
    }
    await Promise.all([session.release(), quantized.release()]);
  });

  it('serves the zero-shot-audio-classification pipeline: scores sum to 1', async () => {
    const classifier = await pipeline('zero-shot-audio-classification', directory, { local_files_only: true, dtype: 'fp32' });
    const scores = (await classifier(tone(440, 1), ['dog', 'music', 'speech'])) as Array<{ label: string; score: number }>;
    expect(scores.map((entry) => entry.label)).toEqual(['dog', 'music', 'speech']);
    expect(scores.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 5);
    await classifier.dispose();
  });
});

describe('full-size Xenova/clap-htsat-unfused (files planned, not written)', () => {
  it('has the real feature window, vocabulary and tower sizes', async () => {
    const { presets } = await import('../src/presets.js');
    const files = presets.find((preset) => preset.id === id)!.files('full');
    const json = (path: string) => JSON.parse(new TextDecoder().decode(files.find((file) => file.path === path)!.content.chunks[0] as Uint8Array)) as Record<string, unknown>;
    expect(json('preprocessor_config.json')).toMatchObject({ nb_max_samples: 480_000, nb_max_frames: 1000, sampling_rate: 48_000, feature_size: 64 });
    expect(json('config.json')).toMatchObject({
      projection_dim: 512,
      text_config: { vocab_size: 50_265, hidden_size: 768, num_hidden_layers: 12, max_position_embeddings: 514 },
      audio_config: { depths: [2, 2, 6, 2], num_attention_heads: [4, 8, 16, 32], hidden_size: 768, patch_embeds_hidden_size: 96 },
    });
    const model = files.find((file) => file.path === 'onnx/model.onnx')!;
    expect(model.content.byteLength).toBeGreaterThan(550 * 1024 * 1024);
  });
});
