import { AutoProcessor, AutoTokenizer, env, LlavaOnevisionForConditionalGeneration, RawImage, type Tensor } from '@huggingface/transformers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeFile } from '../src/index.js';
import { forgeModel } from '../src/index.js';
import { findPreset } from '../src/presets.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

const id = 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf';
const hidden = 32;
const roots = new TemporaryRoots();
let directory = '';

beforeAll(async () => {
  directory = (await forgeModel(id, { root: await roots.create() })).directory;
});
afterAll(() => roots.removeAll());

const readJson = async (file: string) => JSON.parse(await readFile(join(directory, file), 'utf8')) as Record<string, unknown>;
const session = (name: string) => ort.InferenceSession.create(join(directory, `onnx/${name}.onnx`));

function views(count: number, seed: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from({ length: count * 3 * 32 * 32 }, (_, index) => Math.sin(index * seed)), [count, 3, 32, 32]);
}

function largestDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < left.length; index += 1) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

describe(`tiny ${id}`, () => {
  it('writes the LLaVA-OneVision folder the ONNX export has: llava_onevision config, 36 pinpoints, anyres_max_9, SigLIP features from the last layer', async () => {
    const config = await readJson('config.json');
    expect(config).toMatchObject({
      architectures: ['LlavaOnevisionForConditionalGeneration'],
      model_type: 'llava_onevision',
      vision_aspect_ratio: 'anyres_max_9',
      vision_feature_layer: -1,
      vision_feature_select_strategy: 'full',
      use_image_newline_parameter: true,
      vision_config: { model_type: 'siglip_vision_model', image_size: 32, patch_size: 8 },
      text_config: { model_type: 'qwen2' },
    });
    const pinpoints = config.image_grid_pinpoints as number[][];
    expect(pinpoints).toHaveLength(36);
    expect(pinpoints.slice(0, 2)).toEqual([[32, 32], [32, 64]]);
    expect(pinpoints.at(-1)).toEqual([192, 192]);
    expect(await readJson('preprocessor_config.json')).toMatchObject({
      image_processor_type: 'LlavaOnevisionImageProcessor',
      size: { height: 32, width: 32 },
      image_mean: [0.5, 0.5, 0.5],
      image_std: [0.5, 0.5, 0.5],
      resample: 3,
      image_grid_pinpoints: pinpoints,
    });
    expect(await readJson('processor_config.json')).toMatchObject({ image_token: '<image>', num_image_tokens: 16, processor_class: 'LlavaOnevisionProcessor' });
  });

  it('maps each view to its 16 features followed by the same image_newline row', async () => {
    const vision = await session('vision_encoder');
    expect(vision.inputNames).toEqual(['pixel_values']);
    expect(vision.outputNames).toEqual(['image_features']);
    const { image_features: features } = await vision.run({ pixel_values: views(5, 1) });
    expect(features!.dims).toEqual([5, 17, hidden]);
    const data = features!.data as Float32Array;
    const row = (view: number, index: number) => data.subarray((view * 17 + index) * hidden, (view * 17 + index + 1) * hidden);
    expect(largestDifference(row(0, 16), row(4, 16))).toBe(0);
    expect(largestDifference(row(0, 0), row(1, 0))).toBeGreaterThan(1e-2);
    expect(largestDifference(row(0, 15), row(0, 16))).toBeGreaterThan(1e-2);
    const alone = (await vision.run({ pixel_values: new ort.Tensor('float32', (views(5, 1).data as Float32Array).slice(0, 3 * 32 * 32), [1, 3, 32, 32]) })).image_features!;
    expect(largestDifference(alone.data as Float32Array, data.subarray(0, 17 * hidden))).toBeLessThan(1e-5);
    await vision.release();
  });

  it('runs in transformers.js as the export does: one view per image, 16 + 1 features, so 17 image tokens per image', async () => {
    // transformers.js 4.3.2 loads this layout as LlavaOnevisionForConditionalGeneration (its llava
    // model) with a plain image processor: one S × S view per image. Its merge needs as many image
    // tokens as image_features rows, (S/p)² + 1 here, which is what its LlavaProcessor gives with
    // num_additional_image_tokens = 1, as public transformers.js code for the real repo sets it.
    env.allowRemoteModels = false;
    env.localModelPath = directory.slice(0, -id.length);
    const processor = await AutoProcessor.from_pretrained(id, { local_files_only: true });
    const tokenizer = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
    const model = await LlavaOnevisionForConditionalGeneration.from_pretrained(id, { local_files_only: true, dtype: 'fp32' });
    const image = new RawImage(Uint8ClampedArray.from({ length: 40 * 30 * 3 }, (_, index) => (index * 7) % 256), 40, 30, 3);
    const vision = await processor(image);
    expect((vision.pixel_values as Tensor).dims).toEqual([1, 3, 32, 32]);
    const text = (imageTokens: number) =>
      tokenizer(tokenizer.apply_chat_template([{ role: 'user', content: `${'<image>'.repeat(imageTokens)}\nWhat is in the picture?` }], { tokenize: false, add_generation_prompt: true }) as string);
    await expect(model.generate({ ...text(16), ...vision, max_new_tokens: 3, do_sample: false })).rejects.toThrow(/tokens: 16, features 17/);
    const prompt = text(17);
    const generated = (await model.generate({ ...prompt, ...vision, max_new_tokens: 3, do_sample: false })) as Tensor;
    expect(generated.dims).toEqual([1, (prompt.input_ids as Tensor).dims[1]! + 3]);
    await model.dispose();
  });

  it('quantizes the vision encoder to int8 close to fp32', async () => {
    const [vision, quantized] = await Promise.all([session('vision_encoder'), session('vision_encoder_quantized')]);
    const reference = (await vision.run({ pixel_values: views(2, 3) })).image_features!.data as Float32Array;
    expect(largestDifference((await quantized.run({ pixel_values: views(2, 3) })).image_features!.data as Float32Array, reference)).toBeLessThan(0.1);
    await Promise.all([vision.release(), quantized.release()]);
  });
});

describe('full size (described, not written)', () => {
  const configOf = (files: ForgeFile[], path: string) => {
    const chunks = files.find((file) => file.path === path)!.content.chunks as Uint8Array[];
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  };

  it('is SigLIP-384/14 (26 layers) + Qwen2-0.5B with pinpoints 384…2304, every ONNX file under protobuf’s 2 GiB', () => {
    const files = findPreset(id).files('full');
    const config = configOf(files, 'config.json');
    expect(config).toMatchObject({
      model_type: 'llava_onevision',
      vision_config: { model_type: 'siglip_vision_model', image_size: 384, patch_size: 14, hidden_size: 1152, num_hidden_layers: 26 },
      text_config: { model_type: 'qwen2', hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, vocab_size: 152000 },
    });
    expect((config.image_grid_pinpoints as number[][]).at(-1)).toEqual([2304, 2304]);
    expect(configOf(files, 'processor_config.json')).toMatchObject({ num_image_tokens: 729 });
    for (const file of files.filter((candidate) => candidate.path.endsWith('.onnx'))) expect(file.content.byteLength, file.path).toBeLessThan(2 ** 31);
  });
});
