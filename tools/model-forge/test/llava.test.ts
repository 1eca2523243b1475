import { AutoProcessor, GenerationConfig, LlavaForConditionalGeneration, PretrainedConfig, RawImage, Tensor } from '@huggingface/transformers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeFile } from '../src/index.js';
import { forgeModel } from '../src/index.js';
import { findPreset } from '../src/presets.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

const layers = 2;
const keyValueHeads = 2;
const headDim = 8;
const hidden = 32;
const roots = new TemporaryRoots();
let llava = '';

beforeAll(async () => {
  const root = await roots.create();
  llava = (await forgeModel('llava-hf/llava-interleave-qwen-0.5b-hf', { root })).directory;
});
afterAll(() => roots.removeAll());

const readJson = async (directory: string, file: string) => JSON.parse(await readFile(join(directory, file), 'utf8')) as Record<string, unknown>;
const session = (directory: string, name: string) => ort.InferenceSession.create(join(directory, `onnx/${name}.onnx`));

function int64(values: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.flat(), BigInt), [values.length, values[0]!.length]);
}

function pixels(batch: number, seed: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from({ length: batch * 3 * 32 * 32 }, (_, index) => Math.sin(index * seed)), [batch, 3, 32, 32]);
}

function emptyCache(batch: number): Record<string, ort.Tensor> {
  const cache: Record<string, ort.Tensor> = {};
  for (let layer = 0; layer < layers; layer += 1) {
    for (const kind of ['key', 'value']) cache[`past_key_values.${layer}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [batch, keyValueHeads, 0, headDim]);
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

function largestDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  expect(left.length).toBe(right.length);
  let largest = 0;
  for (let index = 0; index < left.length; index += 1) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

describe('tiny llava-hf/llava-interleave-qwen-0.5b-hf', () => {
  it('writes the LLaVA folder transformers.js expects', async () => {
    const config = await readJson(llava, 'config.json');
    expect(config).toMatchObject({ model_type: 'llava', architectures: ['LlavaForConditionalGeneration'], text_config: { model_type: 'qwen2', num_key_value_heads: 2, head_dim: 8 } });
    expect(await readJson(llava, 'processor_config.json')).toMatchObject({ image_token: '<image>', patch_size: 8, num_additional_image_tokens: 0 });
    expect(await readJson(llava, 'preprocessor_config.json')).toMatchObject({ image_processor_type: 'CLIPImageProcessor', processor_class: 'LlavaProcessor' });
    const tokenizer = await readJson(llava, 'tokenizer.json');
    const imageEntry = (tokenizer.added_tokens as Array<{ id: number; content: string }>).find((entry) => entry.content === '<image>');
    expect(imageEntry?.id).toBe(config.image_token_index);
  });

  it('maps pixels to (S/patch)² projected features that depend on the pixels', async () => {
    const vision = await session(llava, 'vision_encoder');
    expect(vision.inputNames).toEqual(['pixel_values']);
    expect(vision.outputNames).toEqual(['image_features']);
    const first = (await vision.run({ pixel_values: pixels(2, 1) })).image_features!;
    const second = (await vision.run({ pixel_values: pixels(2, 3) })).image_features!;
    expect(first.dims).toEqual([2, 16, hidden]);
    expect(largestDifference(first.data as Float32Array, second.data as Float32Array)).toBeGreaterThan(1e-2);
    await vision.release();
  });

  it('declares a Qwen2 decoder over inputs_embeds with fixed key/value heads and head size', async () => {
    const decoder = await session(llava, 'decoder_model_merged');
    expect(decoder.inputNames).toEqual(['inputs_embeds', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value']);
    expect(decoder.outputNames).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(decoder.inputMetadata[3]).toMatchObject({ type: 'float32', shape: ['batch_size', keyValueHeads, 'past_sequence_length', headDim] });
    await decoder.release();
  });

  it('gives the same logits in two cached steps as in one full pass, and logits that depend on the embeddings', async () => {
    const embed = await session(llava, 'embed_tokens');
    const decoder = await session(llava, 'decoder_model_merged');
    const tokens = [40, 41, 42, 43, 44, 45, 46];
    const embeddings = async (ids: number[]) => (await embed.run({ input_ids: int64([ids]) })).inputs_embeds as ort.Tensor;
    const full = await decoder.run({ inputs_embeds: await embeddings(tokens), attention_mask: int64([tokens.map(() => 1)]), position_ids: int64([tokens.map((_, index) => index)]), ...emptyCache(1) });
    const first = await decoder.run({ inputs_embeds: await embeddings(tokens.slice(0, 4)), attention_mask: int64([[1, 1, 1, 1]]), position_ids: int64([[0, 1, 2, 3]]), ...emptyCache(1) });
    const second = await decoder.run({ inputs_embeds: await embeddings(tokens.slice(4)), attention_mask: int64([tokens.map(() => 1)]), position_ids: int64([[4, 5, 6]]), ...presentsAsPast(first) });
    const stepped = [...(first.logits!.data as Float32Array), ...(second.logits!.data as Float32Array)];
    expect(largestDifference(stepped, full.logits!.data as Float32Array)).toBeLessThan(1e-4);
    expect(second['present.1.key']!.dims).toEqual([1, keyValueHeads, 7, headDim]);

    const other = await decoder.run({ inputs_embeds: await embeddings([40, 41, 42, 43, 44, 45, 99]), attention_mask: int64([tokens.map(() => 1)]), position_ids: int64([tokens.map((_, index) => index)]), ...emptyCache(1) });
    const vocabulary = full.logits!.dims[2]!;
    const lastRow = (tensor: ort.Tensor) => (tensor.data as Float32Array).subarray(6 * vocabulary);
    expect(largestDifference(lastRow(full.logits!), lastRow(other.logits!))).toBeGreaterThan(1e-2);
    await Promise.all([embed.release(), decoder.release()]);
  });

  it('ignores left padding: a padded row gives the logits of the row alone', async () => {
    const embed = await session(llava, 'embed_tokens');
    const decoder = await session(llava, 'decoder_model_merged');
    const short = [50, 60, 70];
    const long = [11, 22, 33, 44, 55];
    const batch = (await embed.run({ input_ids: int64([[0, 0, ...short], long]) })).inputs_embeds!;
    const batched = await decoder.run({ inputs_embeds: batch, attention_mask: int64([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]]), position_ids: int64([[1, 1, 0, 1, 2], [0, 1, 2, 3, 4]]), ...emptyCache(2) });
    const alone = await decoder.run({ inputs_embeds: (await embed.run({ input_ids: int64([short]) })).inputs_embeds!, attention_mask: int64([[1, 1, 1]]), position_ids: int64([[0, 1, 2]]), ...emptyCache(1) });
    const vocabulary = alone.logits!.dims[2]!;
    expect(largestDifference((batched.logits!.data as Float32Array).subarray(2 * vocabulary, 5 * vocabulary), alone.logits!.data as Float32Array)).toBeLessThan(1e-4);
    await Promise.all([embed.release(), decoder.release()]);
  });

  it('generates through AutoProcessor + LlavaForConditionalGeneration exactly what full passes pick, and the int8 files run', async () => {
    const names = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];
    const sessions = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await session(llava, name)] as const)));
    const config = new PretrainedConfig(await readJson(llava, 'config.json'));
    const model = new LlavaForConditionalGeneration(config, sessions, { generation_config: new GenerationConfig((await readJson(llava, 'generation_config.json')) as never) });
    const processor = await AutoProcessor.from_pretrained(llava, { local_files_only: true });
    const image = new RawImage(Uint8ClampedArray.from({ length: 40 * 30 * 3 }, (_, index) => (index * 7) % 256), 40, 30, 3);
    const prompt = processor.tokenizer!.apply_chat_template([{ role: 'user', content: '<image>\nWhat is in the picture?' }], { tokenize: false, add_generation_prompt: true }) as string;
    const inputs = await processor(image, prompt);
    expect(inputs.pixel_values.dims).toEqual([1, 3, 32, 32]);
    const generated = ((await model.generate({ ...inputs, max_new_tokens: 6, do_sample: false })) as Tensor).tolist() as bigint[][];

    const ids = (inputs.input_ids as Tensor).tolist() as bigint[][];
    const sequence = ids[0]!.map(Number);
    const promptLength = sequence.length;
    while (sequence.length < generated[0]!.length) {
      const inputIds = new Tensor('int64', BigInt64Array.from(sequence, BigInt), [1, sequence.length]);
      const attentionMask = new Tensor('int64', BigInt64Array.from(sequence, () => 1n), [1, sequence.length]);
      const { logits } = (await model({ input_ids: inputIds, attention_mask: attentionMask, pixel_values: inputs.pixel_values })) as { logits: Tensor };
      const vocabulary = logits.dims[2]!;
      const last = (logits.data as Float32Array).subarray(logits.data.length - vocabulary);
      sequence.push(last.indexOf(Math.max(...last)));
    }
    expect(generated[0]!.map(Number)).toEqual(sequence);
    expect(sequence.length).toBe(promptLength + 6);
    await model.dispose();

    const vision = await session(llava, 'vision_encoder');
    const quantized = await session(llava, 'vision_encoder_quantized');
    const reference = (await vision.run({ pixel_values: pixels(1, 1) })).image_features!.data as Float32Array;
    expect(largestDifference((await quantized.run({ pixel_values: pixels(1, 1) })).image_features!.data as Float32Array, reference)).toBeLessThan(0.1);
    await Promise.all([vision.release(), quantized.release()]);
  });
});

describe('full sizes (described, not written)', () => {
  const configOf = (files: ForgeFile[], path: string) => {
    const chunks = files.find((file) => file.path === path)!.content.chunks as Uint8Array[];
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  };

  it('are SigLIP-384/14 + Qwen2-0.5B, every ONNX file under protobuf’s 2 GiB (llava-next: test/llava-next.test.ts)', () => {
    const llavaFiles = findPreset('llava-hf/llava-interleave-qwen-0.5b-hf').files('full');
    expect(configOf(llavaFiles, 'config.json')).toMatchObject({
      image_seq_length: 27 * 27,
      vision_config: { model_type: 'siglip_vision_model', image_size: 384, patch_size: 14, hidden_size: 1152, num_hidden_layers: 26 },
      text_config: { model_type: 'qwen2', hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, head_dim: 64, vocab_size: 152000 },
    });
    expect(configOf(llavaFiles, 'processor_config.json')).toMatchObject({ patch_size: 14, num_additional_image_tokens: 0 });
    for (const file of llavaFiles.filter((candidate) => candidate.path.endsWith('.onnx'))) {
      expect(file.content.byteLength, file.path).toBeLessThan(2 ** 31);
    }
  });
});
