import { AutoModelForSeq2SeqLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, forgeModel, GraphBuilder, t5Files, writeFileAtomically } from '../src/index.js';
import { relativePositionBuckets } from '../src/families/t5-layers.js';
import { modelBytes } from './helpers/model-bytes.js';
import { summarizeModel } from './helpers/onnx-reader.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const id = 'Xenova/t5-small';
const layers = 2;
const heads = 2;
const headDim = 8;
const hidden = 16;
const roots = new TemporaryRoots();
let directory = '';
let reluDirectory = '';

beforeAll(async () => {
  ({ directory } = await forgeModel(id, { root: await roots.create() }));
  reluDirectory = join(await roots.create(), 'relu-t5');
  const relu = t5Files({
    id: 'test/relu-t5',
    dimensions: { layers: 1, decoderLayers: 3, hidden: 16, heads: 2, headDim: 4, feedForward: 24, feedForwardProjection: 'relu', maxPositions: 512, extraIds: 4 },
  });
  for (const file of relu) await writeFileAtomically(join(reluDirectory, file.path), file.content);
});
afterAll(() => roots.removeAll());

function int64(values: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.flat(), BigInt), [values.length, values[0]!.length]);
}

function decoderFeeds(session: ort.InferenceSession, past: Record<string, ort.Tensor> | undefined): Record<string, ort.Tensor> {
  if (past !== undefined) return { ...past, use_cache_branch: new ort.Tensor('bool', [true], [1]) };
  const empty: Record<string, ort.Tensor> = {};
  for (const metadata of session.inputMetadata) {
    if (!metadata.name.startsWith('past_key_values.') || !metadata.isTensor) continue;
    const shape = metadata.shape.map((dim) => (typeof dim === 'number' ? dim : dim === 'batch_size' ? 1 : 0));
    empty[metadata.name] = new ort.Tensor('float32', new Float32Array(0), shape);
  }
  return { ...empty, use_cache_branch: new ort.Tensor('bool', [false], [1]) };
}

function presentsAsPast(outputs: ort.InferenceSession.OnnxValueMapType): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([name]) => name.startsWith('present.'))
      .map(([name, value]) => [name.replace('present.', 'past_key_values.'), value as ort.Tensor]),
  );
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let largest = 0;
  for (let index = 0; index < actual.length; index += 1) largest = Math.max(largest, Math.abs(actual[index]! - expected[index]!));
  expect(largest).toBeLessThan(tolerance);
}

function maxDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < left.length; index += 1) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

async function sessions(folder: string) {
  return {
    encoder: await ort.InferenceSession.create(join(folder, 'onnx/encoder_model.onnx')),
    decoder: await ort.InferenceSession.create(join(folder, 'onnx/decoder_model_merged.onnx')),
  };
}

/** Encodes `tokens`, then decodes `decoderTokens` once without cache and once token by token with it. */
async function fullAndCached(folder: string, tokens: number[], decoderTokens: number[]) {
  const { encoder, decoder } = await sessions(folder);
  const mask = int64([tokens.map(() => 1)]);
  const { last_hidden_state: encoded } = await encoder.run({ input_ids: int64([tokens]), attention_mask: mask });
  const common = { encoder_attention_mask: mask, encoder_hidden_states: encoded! };
  const full = await decoder.run({ ...common, input_ids: int64([decoderTokens]), ...decoderFeeds(decoder, undefined) });
  const stepped: number[] = [];
  let past: Record<string, ort.Tensor> | undefined;
  let last: ort.InferenceSession.OnnxValueMapType = {};
  for (const token of decoderTokens) {
    last = await decoder.run({ ...common, input_ids: int64([[token]]), ...decoderFeeds(decoder, past) });
    stepped.push(...(last.logits!.data as Float32Array));
    past = presentsAsPast(last);
  }
  await encoder.release();
  await decoder.release();
  return { full: full.logits!.data as Float32Array, stepped, last, encoded: encoded! };
}

/** Hugging Face's `T5Attention._relative_position_bucket`, for one relative position. */
function referenceBucket(relative: number, bidirectional: boolean, buckets: number, maxDistance: number): number {
  let offset = 0;
  let distance: number;
  if (bidirectional) {
    buckets = Math.floor(buckets / 2);
    offset = relative > 0 ? buckets : 0;
    distance = Math.abs(relative);
  } else {
    distance = -Math.min(relative, 0);
  }
  const maxExact = Math.floor(buckets / 2);
  if (distance < maxExact) return offset + distance;
  const f = Math.fround;
  const scaled = f(f(f(Math.log(f(distance / maxExact))) / f(Math.log(maxDistance / maxExact))) * (buckets - maxExact));
  const large = maxExact + Math.trunc(scaled);
  return offset + Math.min(large, buckets - 1);
}

describe('tiny Xenova/t5-small', () => {
  it('lays out the encoder and the merged decoder like optimum exports, with an If on use_cache_branch', async () => {
    const { encoder, decoder } = await sessions(directory);
    expect(encoder.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(encoder.outputNames).toEqual(['last_hidden_state']);
    const past = Array.from({ length: layers }, (_, layer) =>
      ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value'].map((kind) => `past_key_values.${layer}.${kind}`),
    ).flat();
    expect(decoder.inputNames).toEqual(['encoder_attention_mask', 'input_ids', 'encoder_hidden_states', ...past, 'use_cache_branch']);
    expect(decoder.outputNames).toEqual(['logits', ...past.map((name) => name.replace('past_key_values.', 'present.'))]);
    expect(decoder.inputMetadata[3]).toMatchObject({ type: 'float32', shape: ['batch_size', heads, 'past_decoder_sequence_length', headDim] });
    expect(decoder.inputMetadata[5]).toMatchObject({ type: 'float32', shape: ['batch_size', heads, 'encoder_sequence_length_out', headDim] });
    await encoder.release();
    await decoder.release();

    const summary = summarizeModel(await readFile(join(directory, 'onnx/decoder_model_merged.onnx')));
    expect(summary.opTypes).toContain('If');
    const weights = summary.initializers.map((initializer) => initializer.name);
    expect(weights).toContain('decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight');
    expect(weights).toContain('decoder.block.1.layer.1.EncDecAttention.k.weight');
    const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({
      model_type: 't5',
      is_encoder_decoder: true,
      num_heads: heads,
      d_kv: headDim,
      d_model: hidden,
      num_layers: layers,
      num_decoder_layers: layers,
      decoder_start_token_id: 0,
      eos_token_id: 1,
      feed_forward_proj: 'gated-gelu',
      tie_word_embeddings: false,
    });
  });

  it('computes T5 relative position buckets exactly like Hugging Face', async () => {
    const graph = new GraphBuilder();
    const queries = graph.input('queries', 'int64', ['q']);
    const keys = graph.input('keys', 'int64', ['k']);
    graph.output(relativePositionBuckets(graph, queries, keys, { bidirectional: true, buckets: 32, maxDistance: 128 }), 'bidirectional', 'int64');
    graph.output(relativePositionBuckets(graph, queries, keys, { bidirectional: false, buckets: 32, maxDistance: 128 }), 'causal', 'int64');
    const session = await ort.InferenceSession.create(modelBytes(createModel(graph.build())));
    const keyPositions = Array.from({ length: 301 }, (_, index) => index);
    const queryPositions = [0, 7, 150, 300];
    const outputs = await session.run({
      queries: new ort.Tensor('int64', BigInt64Array.from(queryPositions, BigInt), [queryPositions.length]),
      keys: new ort.Tensor('int64', BigInt64Array.from(keyPositions, BigInt), [keyPositions.length]),
    });
    for (const [name, bidirectional] of [['bidirectional', true], ['causal', false]] as const) {
      const actual = Array.from(outputs[name]!.data as BigInt64Array, Number);
      const expected = queryPositions.flatMap((query) => keyPositions.map((key) => referenceBucket(key - query, bidirectional, 32, 128)));
      expect(actual).toEqual(expected);
    }
    await session.release();
  });

  it('tokenizes task prefixes into whole words, appends </s>, and decodes back', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const prompt = 'translate English to German: the house is small';
    const tokens = tokenizer.tokenize(prompt);
    expect(tokens).toEqual(['▁translate', '▁English', '▁to', '▁German', ':', '▁the', '▁house', '▁is', '▁small']);
    const ids = tokenizer.encode(prompt);
    expect(ids.at(-1)).toBe(1);
    expect(ids).not.toContain(tokenizer.unk_token_id);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(prompt);
    expect(tokenizer.tokenize('summarize: Das Haus ist klein.')).toEqual(['▁summarize', ':', '▁Das', '▁Haus', '▁ist', '▁klein', '.']);
    expect(tokenizer.encode('<extra_id_0> house', { add_special_tokens: false })).toHaveLength(2);
    expect(tokenizer.pad_token_id).toBe(0);
    expect(tokenizer.eos_token_id).toBe(1);
  });

  it('encodes differently for different inputs and ignores right padding', async () => {
    const { encoder } = await sessions(directory);
    const run = async (ids: number[][], mask: number[][]) =>
      (await encoder.run({ input_ids: int64(ids), attention_mask: int64(mask) })).last_hidden_state!.data as Float32Array;
    const first = await run([[10, 11, 12, 1]], [[1, 1, 1, 1]]);
    const second = await run([[10, 13, 12, 1]], [[1, 1, 1, 1]]);
    expect(maxDifference(first, second)).toBeGreaterThan(0.1);
    const padded = await run([[10, 11, 12, 1, 0, 0], [20, 21, 22, 23, 24, 1]], [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]]);
    expectClose(padded.subarray(0, 4 * hidden), first, 1e-5);
    await encoder.release();
  });

  it('gives the same logits token by token with the cache as in one full pass, and depends on its inputs', async () => {
    const { full, stepped, last, encoded } = await fullAndCached(directory, [30, 31, 32, 33, 1], [0, 40, 41, 42, 43, 44]);
    expectClose(stepped, full);
    expect(last['present.1.decoder.key']!.dims).toEqual([1, heads, 6, headDim]);
    expect(last['present.1.encoder.key']!.dims).toEqual([1, heads, 5, headDim]);
    expect(encoded.dims).toEqual([1, 5, hidden]);
    const vocabulary = full.length / 6;
    const otherEncoder = await fullAndCached(directory, [30, 35, 32, 33, 1], [0, 40, 41, 42, 43, 44]);
    expect(maxDifference(otherEncoder.full, full)).toBeGreaterThan(0.1);
    const otherDecoder = await fullAndCached(directory, [30, 31, 32, 33, 1], [0, 40, 50, 42, 43, 44]);
    expect(maxDifference(otherDecoder.full.subarray(0, 2 * vocabulary), full.subarray(0, 2 * vocabulary))).toBe(0);
    expect(maxDifference(otherDecoder.full.subarray(2 * vocabulary), full.subarray(2 * vocabulary))).toBeGreaterThan(0.1);
  });

  it('gives the same cached and full logits in the original layout (ReLU feed-forward, tied embeddings)', async () => {
    const config = JSON.parse(await readFile(join(reluDirectory, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ feed_forward_proj: 'relu', is_gated_act: false, tie_word_embeddings: true, num_layers: 1, num_decoder_layers: 3 });
    const summary = summarizeModel(await readFile(join(reluDirectory, 'onnx/decoder_model_merged.onnx')));
    expect(summary.initializers.map((initializer) => initializer.name)).toContain('decoder.block.2.layer.2.DenseReluDense.wi.weight');
    const { full, stepped } = await fullAndCached(reluDirectory, [5, 6, 7, 1], [0, 9, 10, 11]);
    expectClose(stepped, full);
  });

  it('generates greedily in transformers.js with the cache exactly what full forward passes pick', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModelForSeq2SeqLM.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const inputs = tokenizer('translate English to German: the house is small');
    const generated = (await model.generate({ ...inputs, max_new_tokens: 12, do_sample: false })) as Tensor;
    const sequence = (generated.tolist() as bigint[][])[0]!.map(Number);
    expect(sequence[0]).toBe(0);

    const decoderIds = [0];
    while (decoderIds.length < sequence.length) {
      const decoderInput = new Tensor('int64', BigInt64Array.from(decoderIds, BigInt), [1, decoderIds.length]);
      const { logits } = (await model({ ...inputs, decoder_input_ids: decoderInput })) as { logits: Tensor };
      const vocabulary = logits.dims.at(-1)!;
      const lastRow = (logits.data as Float32Array).subarray(logits.data.length - vocabulary);
      const next = lastRow.indexOf(Math.max(...lastRow));
      decoderIds.push(next);
      if (next === tokenizer.eos_token_id) break;
    }
    expect(sequence).toEqual(decoderIds);
    expect(new Set(sequence.slice(1)).size).toBeGreaterThan(1);
    await model.dispose();
  });

  it('runs the int8 encoder and decoder', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModelForSeq2SeqLM.from_pretrained(directory, { local_files_only: true, dtype: 'q8' });
    const generated = (await model.generate({ ...tokenizer('summarize: the house is small'), max_new_tokens: 4, do_sample: false })) as Tensor;
    expect(generated.dims).toEqual([1, 5]);
    await model.dispose();
  });
});
