import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, type BackendV1, InvalidModelError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, env, RawImage } from '@huggingface/transformers';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipEmbeddingOutput, clipSkill, type ClipZeroShotOutput } from '../src/index.js';
import { imageFolder } from './images.js';

env.allowRemoteModels = false;

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let directory = '';
let images: Awaited<ReturnType<typeof imageFolder>>;

const largestDifference = (left: ArrayLike<number>, right: ArrayLike<number>) => Math.max(...Array.from(left, (value, index) => Math.abs(value - right[index]!)));

/**
 * The real cpu backend, counting the sessions it opens (by file name) and those still open. It
 * names no module for workers, so endpoints on it run inline, where the counts are visible.
 */
function countingCpuBackend(): { backend: BackendV1; opened: string[]; live: () => number } {
  const inner = createCpuBackend({ threads: 1 });
  const opened: string[] = [];
  let live = 0;
  const backend: BackendV1 = {
    specificationVersion: 'v1',
    name: inner.name,
    packageName: inner.packageName,
    probe: () => inner.probe(),
    doCreateSession: async (options) => {
      const session = await inner.doCreateSession(options);
      opened.push(basename(options.file));
      live += 1;
      let released = false;
      return {
        ...session,
        release: async () => {
          if (!released) live -= 1;
          released = true;
          await session.release();
        },
      };
    },
  };
  return { backend, opened, live: () => live };
}

beforeAll(async () => {
  ({ directory } = await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot }));
  images = await imageFolder();
});

afterAll(async () => {
  await images?.remove();
});

describe('clip towers load on demand (the default)', () => {
  it('image-only traffic opens only the vision tower, with the same embeddings as transformers.js; zero-shot then opens the text tower; remove releases both', async () => {
    const { backend, opened, live } = countingCpuBackend();
    const accel = new Accel({ backends: [backend], skills: [clipSkill] });
    try {
      const id = accel.addEndpoint({ skill: clipSkill, model: directory });
      const [ready] = await accel.init(id);
      expect(ready?.state).toBe('ready');
      expect(ready?.modelFiles).toEqual(['config.json']);
      expect(live()).toBe(0);

      const first = await accel.infer(clipSkill, { images: images.files.blue }, { normalize: false });
      const more = await Promise.all([images.files.red, images.files.blue].map((image) => accel.infer(clipSkill, { images: image })));
      expect(opened).toEqual(['vision_model.onnx']);
      expect(live()).toBe(1);
      for (const { provenance } of [first, ...more]) {
        expect(provenance.model.files).toContain('onnx/vision_model.onnx');
        expect(provenance.model.files).not.toContain('onnx/text_model.onnx');
        expect(provenance.model.files).not.toContain('tokenizer.json');
      }
      expect(accel.status()[0]?.modelFiles.toSorted()).toEqual(['config.json', 'onnx/vision_model.onnx', 'preprocessor_config.json']);

      const processor = await AutoProcessor.from_pretrained(directory, { local_files_only: true });
      const visionModel = await CLIPVisionModelWithProjection.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
      const reference = (await visionModel(await processor(await RawImage.read(images.files.blue)))).image_embeds.data as Float32Array;
      expect(largestDifference((first.output as ClipEmbeddingOutput).embeddings[0]!, reference)).toBeLessThan(1e-5);

      const zeroShot = await accel.infer(clipSkill, { images: images.files.red, labels: ['a cat', 'a dog'] });
      expect(opened.sort()).toEqual(['text_model.onnx', 'vision_model.onnx']);
      expect(live()).toBe(2);
      expect(zeroShot.provenance.model.files).toEqual(expect.arrayContaining(['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'tokenizer.json']));
      // The earlier results keep the files they were served with.
      expect(first.provenance.model.files).not.toContain('onnx/text_model.onnx');
      expect(accel.status()[0]?.modelFiles).toEqual(expect.arrayContaining(['onnx/text_model.onnx', 'tokenizer.json']));

      // The zero-shot scores equal those computed from the two towers' embeddings.
      const image = (await accel.infer(clipSkill, { images: images.files.red })).output as ClipEmbeddingOutput;
      const texts = (await accel.infer(clipSkill, { texts: ['a photo of a a cat.', 'a photo of a a dog.'] })).output as ClipEmbeddingOutput;
      const logits = texts.embeddings.map((text) => 100 * text.reduce((sum, value, index) => sum + value * image.embeddings[0]![index]!, 0));
      const exps = logits.map((logit) => Math.exp(logit - Math.max(...logits)));
      const scores = (zeroShot.output as ClipZeroShotOutput).classifications[0]!;
      ['a cat', 'a dog'].forEach((label, index) => expect(scores.find((entry) => entry.label === label)!.score).toBeCloseTo(exps[index]! / (exps[0]! + exps[1]!), 5));

      await accel.removeEndpoint(id);
      expect(live()).toBe(0);
    } finally {
      await accel.dispose();
    }
  });

  it('text-only traffic opens only the text tower, with the same embeddings as transformers.js', async () => {
    const { backend, opened, live } = countingCpuBackend();
    const accel = new Accel({ backends: [backend], skills: [clipSkill] });
    try {
      accel.addEndpoint({ skill: clipSkill, model: directory });
      const { output, provenance } = await accel.infer(clipSkill, { texts: 'a red square' }, { normalize: false });
      expect(opened).toEqual(['text_model.onnx']);
      expect(provenance.model.files).not.toContain('onnx/vision_model.onnx');
      expect(provenance.model.files).not.toContain('preprocessor_config.json');
      const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
      const textModel = await CLIPTextModelWithProjection.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
      const reference = (await textModel(tokenizer('a red square'))).text_embeds.data as Float32Array;
      expect(largestDifference((output as ClipEmbeddingOutput).embeddings[0]!, reference)).toBeLessThan(1e-5);
      await accel.dispose();
      expect(live()).toBe(0);
    } finally {
      await accel.dispose();
    }
  });

  it('concurrent first requests share one load of the tower', async () => {
    const { backend, opened } = countingCpuBackend();
    const accel = new Accel({ backends: [backend], skills: [clipSkill] });
    try {
      // Batches of one: eight first requests, each its own batch, all waiting for the same vision tower.
      accel.addEndpoint({ skill: clipSkill, model: directory, maxBatchSize: 1 });
      const results = await Promise.all(Array.from({ length: 8 }, (_, index) => accel.infer(clipSkill, { images: index % 2 === 0 ? images.files.red : images.files.blue })));
      expect(results.every((result) => result.provenance.batchSizes.every((size) => size === 1))).toBe(true);
      expect(opened).toEqual(['vision_model.onnx']);
    } finally {
      await accel.dispose();
    }
  });

  it('in worker threads (the default isolation) too: provenance and status name only the tower that loaded, and gain the other when it does', async () => {
    const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [clipSkill] });
    try {
      const id = accel.addEndpoint({ skill: clipSkill, model: directory });
      const [ready] = await accel.init(id);
      expect(ready?.isolation).toBe('worker');
      expect(ready?.modelFiles).toEqual(['config.json']);
      const image = await accel.infer(clipSkill, { images: images.files.red });
      expect(image.provenance.model.files.toSorted()).toEqual(['config.json', 'onnx/vision_model.onnx', 'preprocessor_config.json']);
      expect(accel.status()[0]?.modelFiles.toSorted()).toEqual(['config.json', 'onnx/vision_model.onnx', 'preprocessor_config.json']);
      const text = await accel.infer(clipSkill, { texts: 'a cat' });
      expect(text.provenance.model.files).toEqual(expect.arrayContaining(['onnx/text_model.onnx', 'tokenizer.json', 'onnx/vision_model.onnx']));
      expect(accel.status()[0]?.modelFiles).toEqual(expect.arrayContaining(['onnx/text_model.onnx', 'onnx/vision_model.onnx']));
      await accel.removeEndpoint(id);
      expect(accel.status()).toEqual([]);
    } finally {
      await accel.dispose();
    }
  });
});

describe('clip with preload: true', () => {
  it('opens both towers in init, and serves the same embeddings as on demand', async () => {
    const { backend, opened, live } = countingCpuBackend();
    const accel = new Accel({ backends: [backend], skills: [clipSkill] });
    try {
      const eager = accel.addEndpoint({ id: 'eager', skill: clipSkill, model: directory, preload: true });
      const [ready] = await accel.init(eager);
      expect(opened.sort()).toEqual(['text_model.onnx', 'vision_model.onnx']);
      expect(live()).toBe(2);
      expect(ready?.modelFiles).toEqual(expect.arrayContaining(['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'tokenizer.json', 'preprocessor_config.json']));
      const input = { images: [images.files.red, images.files.blue] };
      const fromEager = (await accel.infer(clipSkill, input, { endpoint: 'eager' })).output as ClipEmbeddingOutput;
      accel.addEndpoint({ id: 'lazy', skill: clipSkill, model: directory });
      const fromLazy = (await accel.infer(clipSkill, input, { endpoint: 'lazy' })).output as ClipEmbeddingOutput;
      fromLazy.embeddings.forEach((embedding, index) => expect(Array.from(embedding)).toEqual(Array.from(fromEager.embeddings[index]!)));
      await accel.dispose();
      expect(live()).toBe(0);
    } finally {
      await accel.dispose();
    }
  });

  it('reaches the skill in a worker thread too', async () => {
    const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [clipSkill] });
    try {
      const [ready] = await accel.init(accel.addEndpoint({ skill: clipSkill, model: directory, preload: true }));
      expect(ready?.isolation).toBe('worker');
      expect(ready?.modelFiles).toEqual(expect.arrayContaining(['onnx/text_model.onnx', 'onnx/vision_model.onnx']));
    } finally {
      await accel.dispose();
    }
  });
});

describe('clip tower graph checks', () => {
  it('a vision graph that is not a CLIP vision tower fails the first image request (InvalidModelError naming the file, session released), or init with preload', async () => {
    // An X-CLIP folder whose config.json claims to be CLIP: the graph check catches it when the vision tower loads.
    const { directory: xclip } = await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot });
    const scratch = await mkdtemp(join(tmpdir(), 'accel-clip-lazy-'));
    const { backend, live } = countingCpuBackend();
    const accel = new Accel({ backends: [backend], skills: [clipSkill] });
    try {
      const disguised = join(scratch, 'xclip-as-clip');
      await cp(xclip, disguised, { recursive: true });
      const config = JSON.parse(await readFile(join(disguised, 'config.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(disguised, 'config.json'), JSON.stringify({ ...config, model_type: 'clip' }));
      const message = /onnx\/vision_model\.onnx.*an input named pixel_values and an output named image_embeds/;

      accel.addEndpoint({ id: 'lazy', skill: clipSkill, model: disguised });
      const error = await accel.infer(clipSkill, { images: images.files.red }, { endpoint: 'lazy' }).catch((caught: unknown) => caught);
      expect(InvalidModelError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect(live()).toBe(0);
      await accel.removeEndpoint('lazy');

      accel.addEndpoint({ id: 'eager', skill: clipSkill, model: disguised, preload: true });
      const initError = await accel.init('eager').catch((caught: unknown) => caught);
      expect(InvalidModelError.isInstance(initError), String(initError)).toBe(true);
      expect((initError as Error).message).toMatch(message);
      expect(live()).toBe(0);
    } finally {
      await accel.dispose();
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
