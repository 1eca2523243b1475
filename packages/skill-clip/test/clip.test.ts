import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError, InvalidModelError } from '@accel/core';
import { AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, env, pipeline, RawImage } from '@huggingface/transformers';
import { clipFiles, clipPresetDimensions, forgeModel, writeFileAtomically } from '@accel/model-forge';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipEmbeddingOutput, type ClipOutput, type ClipSimilarityOutput, clipSkill, type ClipZeroShotOutput } from '../src/index.js';
import { imageFolder, patternPixels, patternPng } from './images.js';

env.allowRemoteModels = false;

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let directory = '';
let accel: Accel;
let images: Awaited<ReturnType<typeof imageFolder>>;

const norm = (vector: ArrayLike<number>) => Math.sqrt(Array.from(vector).reduce((sum, value) => sum + value * value, 0));
const largestDifference = (left: ArrayLike<number>, right: ArrayLike<number>) =>
  Math.max(...Array.from(left, (value, index) => Math.abs(value - right[index]!)));

async function infer<T extends ClipOutput>(input: unknown, options: Record<string, unknown> = {}): Promise<T> {
  return (await accel.infer(clipSkill, input as never, options)).output as T;
}

beforeAll(async () => {
  ({ directory } = await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot }));
  images = await imageFolder();
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [clipSkill] });
  accel.addEndpoint({ id: 'clip', skill: clipSkill, model: directory });
  await accel.init();
});

afterAll(async () => {
  await accel.dispose();
  await images.remove();
});

describe('clip zero-shot image classification', () => {
  it('gives every label a probability, most likely first, summing to 1', async () => {
    const output = await infer<ClipZeroShotOutput>({ images: [images.files.red, images.files.blue], labels: ['a cat', 'a dog', 'a car', 'a tree'] });
    expect(output.task).toBe('zero-shot-image-classification');
    expect(output.classifications).toHaveLength(2);
    for (const ranking of output.classifications) {
      expect(ranking.map((entry) => entry.label).sort()).toEqual(['a car', 'a cat', 'a dog', 'a tree']);
      expect(Math.abs(ranking.reduce((sum, entry) => sum + entry.score, 0) - 1)).toBeLessThan(1e-6);
      ranking.slice(1).forEach((entry, index) => expect(entry.score).toBeLessThanOrEqual(ranking[index]!.score));
    }
  });

  it('is the softmax of 100 × cosine(image, "a photo of a {label}.") — and the template and scale options change it', async () => {
    const labels = ['cat', 'dog'];
    const scores = (await infer<ClipZeroShotOutput>({ images: images.files.red, labels })).classifications[0]!;
    const image = (await infer<ClipEmbeddingOutput>({ images: images.files.red })).embeddings[0]!;
    const texts = (await infer<ClipEmbeddingOutput>({ texts: labels.map((label) => `a photo of a ${label}.`) })).embeddings;
    const logits = texts.map((text) => 100 * text.reduce((sum, value, index) => sum + value * image[index]!, 0));
    const expected = logits.map((logit) => Math.exp(logit - Math.max(...logits)));
    const total = expected.reduce((sum, value) => sum + value, 0);
    labels.forEach((label, index) => expect(scores.find((entry) => entry.label === label)!.score).toBeCloseTo(expected[index]! / total, 5));

    const plain = (await infer<ClipZeroShotOutput>({ images: images.files.red, labels }, { template: '{}' })).classifications[0]!;
    expect(plain.find((entry) => entry.label === 'cat')!.score).not.toBeCloseTo(scores.find((entry) => entry.label === 'cat')!.score, 6);
    const soft = (await infer<ClipZeroShotOutput>({ images: images.files.red, labels }, { logitScale: 1 })).classifications[0]!;
    expect(Math.abs(soft[0]!.score - 0.5)).toBeLessThan(Math.abs(scores[0]!.score - 0.5));
  });

  it("matches transformers.js's zero-shot pipeline on the joint model.onnx (trained logit scale ln 100)", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'skill-clip-joint-'));
    try {
      await cp(directory, folder, { recursive: true });
      const joint = clipFiles({ id: 'Xenova/clip-vit-base-patch32', dimensions: clipPresetDimensions.tiny, quantized: false }).find((file) => file.path === 'onnx/model.onnx')!;
      await writeFileAtomically(join(folder, joint.path), joint.content);
      const classifier = await pipeline('zero-shot-image-classification', folder, { local_files_only: true, dtype: 'fp32' });
      const labels = ['cat', 'dog', 'car'];
      const reference = (await classifier(await RawImage.read(images.files.blue), labels, { hypothesis_template: 'a photo of a {}.' })) as Array<{ label: string; score: number }>;
      const ours = (await infer<ClipZeroShotOutput>({ images: images.files.blue, labels })).classifications[0]!;
      for (const { label, score } of reference) expect(Math.abs(ours.find((entry) => entry.label === label)!.score - score)).toBeLessThan(1e-4);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('clip embeddings', () => {
  it('gives identical embeddings for the same picture as a path, PNG bytes or raw pixels, and different ones for different pictures', async () => {
    const bytes = await readFile(images.files.red);
    const { embeddings } = await infer<ClipEmbeddingOutput>({ images: [images.files.red, bytes, patternPixels(0), images.files.blue] });
    expect(embeddings).toHaveLength(4);
    expect(Array.from(embeddings[1]!)).toEqual(Array.from(embeddings[0]!));
    expect(Array.from(embeddings[2]!)).toEqual(Array.from(embeddings[0]!));
    expect(largestDifference(embeddings[0]!, embeddings[3]!)).toBeGreaterThan(1e-3);
    const texts = (await infer<ClipEmbeddingOutput>({ texts: ['a cat', 'a cat', 'a dog'] })).embeddings;
    expect(Array.from(texts[1]!)).toEqual(Array.from(texts[0]!));
    expect(largestDifference(texts[0]!, texts[2]!)).toBeGreaterThan(1e-3);
  });

  it('gives the same embeddings in a batch as alone', async () => {
    const pictures = [images.files.red, await patternPng(4), patternPixels(5, 20, 64)];
    const batched = (await infer<ClipEmbeddingOutput>({ images: pictures })).embeddings;
    const texts = ['a cat', 'a much longer sentence about a dog that runs along the beach'];
    const batchedTexts = (await infer<ClipEmbeddingOutput>({ texts })).embeddings;
    const alone = await Promise.all(pictures.map(async (picture) => (await infer<ClipEmbeddingOutput>({ images: picture })).embeddings[0]!));
    const aloneTexts = await Promise.all(texts.map(async (text) => (await infer<ClipEmbeddingOutput>({ texts: text })).embeddings[0]!));
    alone.forEach((embedding, index) => expect(largestDifference(embedding, batched[index]!)).toBeLessThan(1e-5));
    aloneTexts.forEach((embedding, index) => expect(largestDifference(embedding, batchedTexts[index]!)).toBeLessThan(1e-5));
  });

  it('normalises by default and gives the raw projections of transformers.js CLIP*ModelWithProjection with normalize: false', async () => {
    const normalized = (await infer<ClipEmbeddingOutput>({ images: images.files.blue })).embeddings[0]!;
    const raw = (await infer<ClipEmbeddingOutput>({ images: images.files.blue }, { normalize: false })).embeddings[0]!;
    expect(norm(normalized)).toBeCloseTo(1, 5);
    expect(norm(raw)).not.toBeCloseTo(1, 2);

    const processor = await AutoProcessor.from_pretrained(directory, { local_files_only: true });
    const visionModel = await CLIPVisionModelWithProjection.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const reference = (await visionModel(await processor(await RawImage.read(images.files.blue)))).image_embeds.data as Float32Array;
    expect(largestDifference(raw, reference)).toBeLessThan(1e-5);

    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const textModel = await CLIPTextModelWithProjection.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const referenceText = (await textModel(tokenizer('a red square'))).text_embeds.data as Float32Array;
    const rawText = (await infer<ClipEmbeddingOutput>({ texts: 'a red square' }, { normalize: false })).embeddings[0]!;
    expect(largestDifference(rawText, referenceText)).toBeLessThan(1e-5);
  });

  it('truncates text longer than 77 tokens, keeping <|endoftext|>, and says so in the provenance', async () => {
    const long = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');
    const { output, provenance } = await accel.infer(clipSkill, { texts: ['short', long] });
    expect((output as ClipEmbeddingOutput).embeddings).toHaveLength(2);
    expect(provenance.notes).toEqual([{ kind: 'truncated', item: 1, message: expect.stringMatching(/to 77 tokens/) }]);
  });
});

describe('clip image–text similarity', () => {
  it('is the cosine of the image and text embeddings', async () => {
    const texts = ['a red square', 'blue stripes', 'a cat'];
    const { similarities } = await infer<ClipSimilarityOutput>({ images: [images.files.red, images.files.blue], texts });
    const imageEmbeddings = (await infer<ClipEmbeddingOutput>({ images: [images.files.red, images.files.blue] })).embeddings;
    const textEmbeddings = (await infer<ClipEmbeddingOutput>({ texts })).embeddings;
    expect(similarities).toHaveLength(2);
    imageEmbeddings.forEach((image, row) =>
      textEmbeddings.forEach((text, column) => expect(similarities[row]![column]!).toBeCloseTo(text.reduce((sum, value, index) => sum + value * image[index]!, 0), 5)),
    );
  });
});

describe('clip bad images', () => {
  it.each([
    ['a truncated PNG', 'corrupt'],
    ['an empty file', 'empty'],
    ['a text file named .png', 'text'],
  ] as const)('%s gives a one-line InvalidInputError naming the file, and its batch-mates succeed', async (_name, key) => {
    const file = images.files[key];
    const results = await Promise.allSettled([
      accel.infer(clipSkill, { images: images.files.red }),
      accel.infer(clipSkill, { images: [images.files.blue, file], labels: ['a cat', 'a dog'] }),
      accel.infer(clipSkill, { texts: 'a cat' }),
      accel.infer(clipSkill, { images: images.files.blue, labels: ['a cat', 'a dog'] }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    expect(Math.max(...fulfilled.flatMap((result) => result.value.provenance.batchSizes))).toBeGreaterThan(1);
    const error = (results[1] as PromiseRejectedResult).reason as InvalidInputError;
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error.index).toBe(1);
    expect(error.message).toContain(file);
    expect(error.toLine().split('\n')).toHaveLength(1);
  });
});

describe('clip model folders', () => {
  it('refuses a folder of another family by its config.json model_type, naming it', async () => {
    const { directory: xclip } = await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot });
    const other = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [clipSkill] });
    try {
      other.addEndpoint({ skill: clipSkill, model: xclip });
      const error = await other.infer(clipSkill, { texts: 'a cat' }).catch((caught: unknown) => caught);
      expect(InvalidModelError.isInstance(error), String(error)).toBe(true);
      expect((error as InvalidModelError).reason).toBe('its config.json has model_type "xclip", and the clip skill serves model_type clip');
    } finally {
      await other.dispose();
    }
  });

  it('refuses a folder whose vision graph is not a CLIP vision tower on the first image request, naming the file', async () => {
    // An X-CLIP folder whose config.json claims to be CLIP: the graph check still catches it when
    // the vision tower loads (on demand; lazy-towers.test.ts checks the same at init with preload).
    const { directory: xclip } = await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot });
    const scratch = await mkdtemp(join(tmpdir(), 'accel-clip-'));
    const other = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [clipSkill] });
    try {
      const disguised = join(scratch, 'xclip-as-clip');
      await cp(xclip, disguised, { recursive: true });
      const config = JSON.parse(await readFile(join(disguised, 'config.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(disguised, 'config.json'), JSON.stringify({ ...config, model_type: 'clip' }));
      other.addEndpoint({ skill: clipSkill, model: disguised });
      const error = await other.infer(clipSkill, { images: images.files.red }).catch((caught: unknown) => caught);
      expect(InvalidModelError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/onnx\/vision_model\.onnx.*an input named pixel_values and an output named image_embeds/);
    } finally {
      await other.dispose();
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('clip provenance', () => {
  it('names the task, cpu and both tower files', async () => {
    const { provenance } = await accel.infer(clipSkill, { images: images.files.red, labels: ['a', 'b'] });
    expect(provenance).toMatchObject({ backend: 'cpu', device: 'cpu', dtype: 'fp32', task: 'zero-shot-image-classification' });
    expect(provenance.model.files).toEqual(expect.arrayContaining(['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'preprocessor_config.json', 'tokenizer.json']));
  });
});
