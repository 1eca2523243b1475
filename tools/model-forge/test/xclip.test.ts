import { AutoTokenizer } from '@huggingface/transformers';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

const id = 'microsoft/xclip-base-patch32';
const frames = 8;
const size = 32;
const projection = 32;
const roots = new TemporaryRoots();
let directory = '';
const sessions: Record<string, ort.InferenceSession> = {};

beforeAll(async () => {
  ({ directory } = await forgeModel(id, { root: await roots.create() }));
  for (const name of ['text_model', 'vision_model', 'prompt_model']) {
    sessions[name] = await ort.InferenceSession.create(join(directory, `onnx/${name}.onnx`));
  }
});
afterAll(async () => {
  await Promise.all(Object.values(sessions).map((session) => session.release()));
  await roots.removeAll();
});

/** `count` videos of `frames` frames [count, frames, 3, size, size]; `seeds` pick each video's pattern. */
function videos(seeds: readonly number[]): ort.Tensor {
  const frameLength = 3 * size * size;
  const data = new Float32Array(seeds.length * frames * frameLength);
  seeds.forEach((seed, video) => {
    for (let frame = 0; frame < frames; frame += 1) {
      for (let index = 0; index < frameLength; index += 1) {
        data[(video * frames + frame) * frameLength + index] = Math.sin(index * 0.013 * (seed + 1) + frame * 0.7 + seed);
      }
    }
  });
  return new ort.Tensor('float32', data, [seeds.length, frames, 3, size, size]);
}

function slice(tensor: ort.Tensor, row: number): number[] {
  const width = tensor.dims.slice(1).reduce((product, dim) => product * dim, 1);
  return Array.from((tensor.data as Float32Array).subarray(row * width, (row + 1) * width));
}

function expectClose(actual: number[], expected: number[], tolerance = 1e-4): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, index) => expect(Math.abs(value - expected[index]!)).toBeLessThan(tolerance));
}

async function embedTexts(texts: string[]): Promise<ort.Tensor> {
  const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
  const encoded = tokenizer(texts, { padding: true });
  const feeds = {
    input_ids: new ort.Tensor('int64', encoded.input_ids.data as BigInt64Array, encoded.input_ids.dims),
    attention_mask: new ort.Tensor('int64', encoded.attention_mask.data as BigInt64Array, encoded.attention_mask.dims),
  };
  return (await sessions.text_model!.run(feeds)).text_embeds as ort.Tensor;
}

describe('tiny microsoft/xclip-base-patch32 in the @accel/skill-xclip contract', () => {
  it('declares the three graphs with the documented inputs, outputs and fixed frame count', () => {
    expect(sessions.text_model!.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(sessions.text_model!.outputNames).toEqual(['text_embeds']);
    expect(sessions.vision_model!.inputMetadata).toMatchObject([{ name: 'pixel_values', type: 'float32', shape: ['batch_size', frames, 3, size, size] }]);
    expect(sessions.vision_model!.outputMetadata).toMatchObject([
      { name: 'video_embeds', shape: ['batch_size', projection] },
      { name: 'visual_tokens', shape: ['batch_size', 4, projection] },
    ]);
    expect(sessions.prompt_model!.inputNames).toEqual(['text_embeds', 'video_embeds', 'visual_tokens']);
    expect(sessions.prompt_model!.outputMetadata).toMatchObject([
      { name: 'logits_per_video', shape: ['video_batch_size', 'text_batch_size'] },
      { name: 'logits_per_text', shape: ['text_batch_size', 'video_batch_size'] },
    ]);
  });

  it('embeds each video independently of its batch-mates, and depends on content and frame order', async () => {
    const batch = await sessions.vision_model!.run({ pixel_values: videos([0, 1]) });
    const alone = await sessions.vision_model!.run({ pixel_values: videos([1]) });
    expectClose(slice(alone.video_embeds as ort.Tensor, 0), slice(batch.video_embeds as ort.Tensor, 1));
    expectClose(slice(alone.visual_tokens as ort.Tensor, 0), slice(batch.visual_tokens as ort.Tensor, 1));
    expect(slice(batch.video_embeds as ort.Tensor, 0)).not.toEqual(slice(batch.video_embeds as ort.Tensor, 1));

    const ordered = videos([2]);
    const frameLength = 3 * size * size;
    const reversed = new Float32Array(ordered.data as Float32Array);
    for (let frame = 0; frame < frames; frame += 1) {
      reversed.set((ordered.data as Float32Array).subarray((frames - 1 - frame) * frameLength, (frames - frame) * frameLength), frame * frameLength);
    }
    const forward = slice((await sessions.vision_model!.run({ pixel_values: ordered })).video_embeds as ort.Tensor, 0);
    const backward = slice((await sessions.vision_model!.run({ pixel_values: new ort.Tensor('float32', reversed, ordered.dims) })).video_embeds as ort.Tensor, 0);
    expect(Math.max(...forward.map((value, index) => Math.abs(value - backward[index]!)))).toBeGreaterThan(1e-3);
  });

  it('conditions each text on each video: logits differ from the plain cosine and do not depend on batch-mates', async () => {
    const texts = await embedTexts(['playing guitar', 'riding a horse', 'cooking dinner']);
    const vision = await sessions.vision_model!.run({ pixel_values: videos([3, 4]) });
    const feeds = { text_embeds: texts, video_embeds: vision.video_embeds as ort.Tensor, visual_tokens: vision.visual_tokens as ort.Tensor };
    const { logits_per_video: logits, logits_per_text: transposed } = await sessions.prompt_model!.run(feeds);
    expect(logits!.dims).toEqual([2, 3]);
    expect(transposed!.dims).toEqual([3, 2]);
    expect(slice(transposed as ort.Tensor, 1)).toEqual([slice(logits as ort.Tensor, 0)[1], slice(logits as ort.Tensor, 1)[1]]);

    const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
    const video = slice(vision.video_embeds as ort.Tensor, 0);
    const text = slice(texts, 0);
    const plainCosine = (100 * video.reduce((sum, value, index) => sum + value * text[index]!, 0)) / (norm(video) * norm(text));
    const conditioned = slice(logits as ort.Tensor, 0)[0]!;
    expect(Math.abs(conditioned)).toBeLessThanOrEqual(100 + 1e-3);
    expect(Math.abs(conditioned - plainCosine)).toBeGreaterThan(1e-3);

    const single = await sessions.prompt_model!.run({
      text_embeds: new ort.Tensor('float32', Float32Array.from(slice(texts, 2)), [1, projection]),
      video_embeds: new ort.Tensor('float32', Float32Array.from(slice(vision.video_embeds as ort.Tensor, 1)), [1, projection]),
      visual_tokens: new ort.Tensor('float32', Float32Array.from(slice(vision.visual_tokens as ort.Tensor, 1)), [1, 4, projection]),
    });
    expect(Math.abs((single.logits_per_video!.data as Float32Array)[0]! - slice(logits as ort.Tensor, 1)[2]!)).toBeLessThan(1e-4);
  });
});
