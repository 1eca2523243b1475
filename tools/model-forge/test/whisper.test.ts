import { AutoTokenizer, env, Tensor, WhisperForConditionalGeneration } from '@huggingface/transformers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel, whisperFiles, whisperLanguageCodes, writeFileAtomically } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const id = 'Xenova/whisper-tiny';
const modelSize = 16;
const layers = 2;
const heads = 2;
const headDim = 8;
const sessionOptions = { intraOpNumThreads: 1 };
const roots = new TemporaryRoots();
let directory = '';
let encoder: ort.InferenceSession;
let decoder: ort.InferenceSession;

beforeAll(async () => {
  ({ directory } = await forgeModel(id, { root: await roots.create() }));
  encoder = await ort.InferenceSession.create(join(directory, 'onnx/encoder_model.onnx'), sessionOptions);
  decoder = await ort.InferenceSession.create(join(directory, 'onnx/decoder_model_merged.onnx'), sessionOptions);
});
afterAll(async () => {
  await encoder.release();
  await decoder.release();
  await roots.removeAll();
});

/** Deterministic log-mel-like features [1, 80, 3000] in about [-1, 1]. */
function features(phase: number): ort.Tensor {
  const data = Float32Array.from({ length: 80 * 3000 }, (_, index) => Math.sin(index * 0.013 + phase) * 0.8);
  return new ort.Tensor('float32', data, [1, 80, 3000]);
}

function int64(values: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
}

function emptyDecoderCache(): Record<string, ort.Tensor> {
  const cache: Record<string, ort.Tensor> = {};
  for (let layer = 0; layer < layers; layer += 1) {
    for (const name of ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value']) {
      cache[`past_key_values.${layer}.${name}`] = new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headDim]);
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

const useCache = (flag: boolean) => new ort.Tensor('bool', [flag], [1]);

async function encode(phase: number): Promise<ort.Tensor> {
  return (await encoder.run({ input_features: features(phase) })).last_hidden_state as ort.Tensor;
}

function maximumDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < left.length; index += 1) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

describe('tiny Xenova/whisper-tiny', () => {
  it('declares the encoder and merged-decoder inputs and outputs of the real export', () => {
    expect(encoder.inputNames).toEqual(['input_features']);
    expect(encoder.outputNames).toEqual(['last_hidden_state']);
    const pastNames = Array.from({ length: layers }, (_, layer) =>
      ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value'].map((name) => `past_key_values.${layer}.${name}`),
    ).flat();
    expect(decoder.inputNames).toEqual(['input_ids', 'encoder_hidden_states', ...pastNames, 'use_cache_branch']);
    expect(decoder.outputNames).toEqual(['logits', ...pastNames.map((name) => name.replace('past_key_values', 'present'))]);
    const metadata = decoder.inputMetadata.find((entry) => entry.name === 'past_key_values.0.encoder.key');
    expect(metadata).toMatchObject({ type: 'float32', shape: ['batch_size', heads, 'encoder_sequence_length_out', headDim] });
  });

  it('encodes 3000 feature frames to 1500 positions, depending on the input', async () => {
    const first = await encode(0);
    const second = await encode(1);
    expect(first.dims).toEqual([1, 1500, modelSize]);
    expect(maximumDifference(first.data as Float32Array, second.data as Float32Array)).toBeGreaterThan(0.1);
    expect([...(first.data as Float32Array)].every(Number.isFinite)).toBe(true);
  });

  it('gives the same logits in cached steps as in one full pass, and reuses the cross-attention cache', async () => {
    const encoded = await encode(0);
    const tokens = [10, 20, 30, 40, 50, 60];
    const full = await decoder.run({ input_ids: int64(tokens), encoder_hidden_states: encoded, ...emptyDecoderCache(), use_cache_branch: useCache(false) });
    const first = await decoder.run({ input_ids: int64(tokens.slice(0, 4)), encoder_hidden_states: encoded, ...emptyDecoderCache(), use_cache_branch: useCache(false) });
    let past = presentsAsPast(first);
    const stepped = [...(first.logits!.data as Float32Array)];
    for (const token of tokens.slice(4)) {
      // The cached branch must not read encoder_hidden_states: feed different ones to prove it.
      const step = await decoder.run({ input_ids: int64([token]), encoder_hidden_states: await encode(5), ...past, use_cache_branch: useCache(true) });
      stepped.push(...(step.logits!.data as Float32Array));
      // As in optimum's exports, the cached branch returns empty cross-attention presents; the caller keeps the past ones.
      expect(step['present.1.encoder.value']!.dims).toEqual([0, heads, 1, headDim]);
      const decoderPresents = Object.entries(presentsAsPast(step)).filter(([name]) => name.includes('.decoder.'));
      past = { ...past, ...Object.fromEntries(decoderPresents) };
    }
    expect(stepped).toHaveLength((full.logits!.data as Float32Array).length);
    expect(maximumDifference(stepped, full.logits!.data as Float32Array)).toBeLessThan(1e-4);
    expect(past['past_key_values.0.decoder.key']!.dims).toEqual([1, heads, 6, headDim]);
  });

  it('gives logits that depend on the audio', async () => {
    const run = async (phase: number) =>
      (await decoder.run({ input_ids: int64([10, 20]), encoder_hidden_states: await encode(phase), ...emptyDecoderCache(), use_cache_branch: useCache(false) }))
        .logits!.data as Float32Array;
    expect(maximumDifference(await run(0), await run(2))).toBeGreaterThan(0.01);
  });

  it('has Whisper tokens: start, 99 languages, tasks, no-timestamps, then 1,501 timestamps', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const generation = JSON.parse(await readFile(join(directory, 'generation_config.json'), 'utf8')) as {
      lang_to_id: Record<string, number>;
      task_to_id: Record<string, number>;
      no_timestamps_token_id: number;
      decoder_start_token_id: number;
      is_multilingual: boolean;
    };
    const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as { vocab_size: number; max_source_positions: number };
    const idOf = (token: string) => (tokenizer as unknown as { _tokenizer: { token_to_id(token: string): number } })._tokenizer.token_to_id(token);
    expect(generation.is_multilingual).toBe(true);
    expect(Object.keys(generation.lang_to_id)).toEqual(whisperLanguageCodes.map((code) => `<|${code}|>`));
    expect(generation.lang_to_id['<|fr|>']).toBe(idOf('<|fr|>'));
    expect(generation.task_to_id).toEqual({ transcribe: idOf('<|transcribe|>'), translate: idOf('<|translate|>') });
    expect(generation.decoder_start_token_id).toBe(idOf('<|startoftranscript|>'));
    expect(generation.no_timestamps_token_id).toBe(idOf('<|notimestamps|>'));
    const timestampBegin = (tokenizer as unknown as { timestamp_begin: number }).timestamp_begin;
    expect(timestampBegin).toBe(generation.no_timestamps_token_id + 1);
    expect(tokenizer.decode([timestampBegin, timestampBegin + 62, timestampBegin + 1500])).toBe('<|0.00|><|1.24|><|30.00|>');
    expect(config.vocab_size).toBe(timestampBegin + 1501);
    expect(config.max_source_positions).toBe(1500);
    expect(tokenizer.all_special_ids.includes(timestampBegin)).toBe(false);
    expect(tokenizer.decode(tokenizer.encode('hello world', { add_special_tokens: false }))).toBe('hello world');
  });

  it('generates with the KV cache in transformers.js exactly what full decoder passes pick', async () => {
    const generation = JSON.parse(await readFile(join(directory, 'generation_config.json'), 'utf8')) as {
      lang_to_id: Record<string, number>;
      task_to_id: Record<string, number>;
      no_timestamps_token_id: number;
      decoder_start_token_id: number;
      suppress_tokens: number[];
      begin_suppress_tokens: number[];
    };
    const model = await WhisperForConditionalGeneration.from_pretrained(directory, { local_files_only: true, dtype: 'fp32', session_options: sessionOptions });
    const inputFeatures = new Tensor('float32', features(0).data as Float32Array, [1, 80, 3000]);
    const generated = (await model.generate({ inputs: inputFeatures, language: 'fr', task: 'translate', max_new_tokens: 10 } as never)) as Tensor;
    await model.dispose();
    const sequence = (generated.tolist() as bigint[][])[0]!.map(Number);
    const prompt = [generation.decoder_start_token_id, generation.lang_to_id['<|fr|>']!, generation.task_to_id.translate!, generation.no_timestamps_token_id];
    expect(sequence.slice(0, 4)).toEqual(prompt);

    const encoded = await encode(0);
    const ids = [...prompt];
    while (ids.length < sequence.length) {
      const outputs = await decoder.run({ input_ids: int64(ids), encoder_hidden_states: encoded, ...emptyDecoderCache(), use_cache_branch: useCache(false) });
      const logits = outputs.logits!.data as Float32Array;
      const last = Array.from(logits.subarray(logits.length - outputs.logits!.dims[2]!));
      const suppressed = ids.length === prompt.length ? [...generation.suppress_tokens, ...generation.begin_suppress_tokens] : generation.suppress_tokens;
      for (const token of suppressed) last[token] = Number.NEGATIVE_INFINITY;
      ids.push(last.indexOf(Math.max(...last)));
    }
    expect(sequence).toEqual(ids);
  });

  it('writes int8 files on request (the full preset does) that run close to the float ones', async () => {
    const root = await roots.create();
    const dimensions = { modelSize, heads, encoderLayers: layers, decoderLayers: layers, feedForwardSize: 64, maxTargetPositions: 448 };
    const files = whisperFiles({ id, dimensions, quantized: true });
    expect(files.map((file) => file.path)).toContain('onnx/decoder_model_merged_quantized.onnx');
    for (const file of files.filter((candidate) => candidate.path.includes('_quantized'))) await writeFileAtomically(join(root, file.path), file.content);
    const quantizedEncoder = await ort.InferenceSession.create(join(root, 'onnx/encoder_model_quantized.onnx'), sessionOptions);
    const quantizedDecoder = await ort.InferenceSession.create(join(root, 'onnx/decoder_model_merged_quantized.onnx'), sessionOptions);
    const encoded = (await quantizedEncoder.run({ input_features: features(0) })).last_hidden_state as ort.Tensor;
    const reference = await encode(0);
    expect(maximumDifference(encoded.data as Float32Array, reference.data as Float32Array)).toBeLessThan(0.25);
    const run = async (session: ort.InferenceSession, states: ort.Tensor) =>
      (await session.run({ input_ids: int64([10, 20]), encoder_hidden_states: states, ...emptyDecoderCache(), use_cache_branch: useCache(false) })).logits as ort.Tensor;
    const logits = await run(quantizedDecoder, encoded);
    const floatLogits = await run(decoder, reference);
    expect(logits.dims).toEqual(floatLogits.dims);
    expect(maximumDifference(logits.data as Float32Array, floatLogits.data as Float32Array)).toBeLessThan(0.5);
    await quantizedEncoder.release();
    await quantizedDecoder.release();
  });
});
