import {
  AutoProcessor,
  AutoTokenizer,
  CLIPModel,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  env,
  pipeline,
  RawImage,
} from '@huggingface/transformers';
import type { Tensor } from '@huggingface/transformers';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipFiles, clipPresetDimensions, forgeModel, writeFileAtomically } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const id = 'Xenova/clip-vit-base-patch32';
const roots = new TemporaryRoots();
let directory = '';

beforeAll(async () => {
  const forged = await forgeModel(id, { root: await roots.create() });
  directory = forged.directory;
  expect(forged.files.filter((file) => file.startsWith('onnx/'))).toEqual(['onnx/text_model.onnx', 'onnx/vision_model.onnx']);
  const joint = clipFiles({ id, dimensions: clipPresetDimensions.tiny, quantized: false }).find((file) => file.path === 'onnx/model.onnx')!;
  await writeFileAtomically(join(directory, joint.path), joint.content);
});
afterAll(() => roots.removeAll());

/** A 48×40 image: a horizontal gradient in one channel, `seed` shifting the pattern. */
function image(seed: number): RawImage {
  const width = 48;
  const height = 40;
  const data = new Uint8ClampedArray(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      data[offset] = (x * 5 + seed * 40) % 256;
      data[offset + 1] = (y * 6 + seed * 90) % 256;
      data[offset + 2] = ((x + y) * 3 * (seed + 1)) % 256;
    }
  }
  return new RawImage(data, width, height, 3);
}

function rows(tensor: Tensor): number[][] {
  return tensor.tolist() as number[][];
}

function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / norm);
}

const dot = (left: number[], right: number[]) => left.reduce((sum, value, index) => sum + value * right[index]!, 0);

describe('tiny Xenova/clip-vit-base-patch32', () => {
  it('has a CLIP tokenizer: lowercased, wrapped in <|startoftext|> … <|endoftext|>, end-of-text the largest id and the pad token', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const ids = tokenizer.encode('A Photo of a  CAT.');
    const vocabulary = tokenizer.get_vocab();
    const startId = tokenizer.convert_tokens_to_ids('<|startoftext|>');
    const endId = tokenizer.convert_tokens_to_ids('<|endoftext|>');
    expect(ids[0]).toBe(startId);
    expect(ids.at(-1)).toBe(endId);
    expect(Math.max(...ids)).toBe(endId);
    expect(endId).toBe(vocabulary.size - 1);
    expect(ids).toEqual(tokenizer.encode('a photo of a cat.'));
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe('a photo of a cat.');
    expect(tokenizer.pad_token_id).toBe(endId);
    expect(tokenizer.model_max_length).toBe(77);
    expect(tokenizer.tokenize('the')).toEqual(['the</w>']);
    expect(tokenizer.tokenize('cat').at(-1)).toMatch(/<\/w>$/);
  });

  it('loads its tower files in transformers.js; embeddings depend on the inputs and ignore padding', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const processor = await AutoProcessor.from_pretrained(directory, { local_files_only: true });
    const textModel = await CLIPTextModelWithProjection.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const visionModel = await CLIPVisionModelWithProjection.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });

    const texts = ['a photo of a cat', 'a much longer description of a dog running on the beach'];
    const { text_embeds: textEmbeds } = await textModel(tokenizer(texts, { padding: true }));
    expect(textEmbeds.dims).toEqual([2, 32]);
    const [cat, dog] = rows(textEmbeds);
    expect(cat).not.toEqual(dog);
    const alone = rows((await textModel(tokenizer(texts[0]!))).text_embeds)[0]!;
    alone.forEach((value, index) => expect(Math.abs(value - cat![index]!)).toBeLessThan(1e-5));

    const { pixel_values: pixelValues } = await processor([image(0), image(1)]);
    expect(pixelValues.dims).toEqual([2, 3, 32, 32]);
    const { image_embeds: imageEmbeds } = await visionModel({ pixel_values: pixelValues });
    expect(imageEmbeds.dims).toEqual([2, 32]);
    const [first, second] = rows(imageEmbeds);
    expect(first!.every(Number.isFinite)).toBe(true);
    expect(first).not.toEqual(second);
  });

  it('has a joint model.onnx (written for full size, or on request) whose logits are 100 × the cosine of the tower embeddings', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const processor = await AutoProcessor.from_pretrained(directory, { local_files_only: true });
    const textModel = await CLIPTextModelWithProjection.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const visionModel = await CLIPVisionModelWithProjection.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const model = await CLIPModel.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });

    const textInputs = tokenizer(['a cat', 'a dog', 'a car'], { padding: true });
    const imageInputs = await processor([image(2), image(3)]);
    const joint = await model({ ...textInputs, ...imageInputs });
    expect(joint.logits_per_image.dims).toEqual([2, 3]);
    expect(joint.logits_per_text.dims).toEqual([3, 2]);
    const texts = rows((await textModel(textInputs)).text_embeds).map(normalize);
    const images = rows((await visionModel(imageInputs)).image_embeds).map(normalize);
    const logits = rows(joint.logits_per_image);
    images.forEach((imageEmbedding, row) =>
      texts.forEach((textEmbedding, column) => expect(Math.abs(logits[row]![column]! - 100 * dot(imageEmbedding, textEmbedding))).toBeLessThan(1e-3)),
    );
    rows(joint.image_embeds).forEach((embedding, row) => embedding.forEach((value, index) => expect(Math.abs(value - images[row]![index]!)).toBeLessThan(1e-5)));
  });

  it("runs transformers.js's zero-shot-image-classification pipeline on model.onnx", async () => {
    const classifier = await pipeline('zero-shot-image-classification', directory, { local_files_only: true, dtype: 'fp32' });
    const result = (await classifier(image(4), ['cat', 'dog', 'car'])) as Array<{ label: string; score: number }>;
    expect(result.map((entry) => entry.label).sort()).toEqual(['car', 'cat', 'dog']);
    expect(result.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 6);
  });
});
