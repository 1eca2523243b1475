import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError } from '@accel/core';
import { evenlySpacedIndices } from '@accel/core/media';
import { forgeModel } from '@accel/model-forge';
import { AutoTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type XclipEmbeddingOutput, type XclipOutput, xclipSkill, type XclipZeroShotOutput } from '../src/index.js';
import { patternFrames, videoFolders } from './frames.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let directory = '';
let accel: Accel;
let videos: Awaited<ReturnType<typeof videoFolders>>;

const largestDifference = (left: ArrayLike<number>, right: ArrayLike<number>) =>
  Math.max(...Array.from(left, (value, index) => Math.abs(value - right[index]!)));
const same = (left: Float32Array, right: Float32Array) => expect(Array.from(left)).toEqual(Array.from(right));

async function infer<T extends XclipOutput>(input: unknown, options: Record<string, unknown> = {}): Promise<T> {
  return (await accel.infer(xclipSkill, input as never, options)).output as T;
}

async function hasFfmpeg(): Promise<boolean> {
  try {
    await promisify(execFile)('ffmpeg', ['-version']);
    return true;
  } catch {
    return false;
  }
}
const ffmpeg = await hasFfmpeg();

beforeAll(async () => {
  ({ directory } = await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot }));
  videos = await videoFolders();
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [xclipSkill] });
  // One copy (`replicas: 'auto'` would load two of this small forged model): the tests compare items of one
  // batch bit for bit and check batch-mates.
  accel.addEndpoint({ id: 'xclip', skill: xclipSkill, model: directory, replicas: 1 });
  await accel.init();
});

afterAll(async () => {
  await accel.dispose();
  await videos.remove();
});

describe('xclip zero-shot video classification', () => {
  it('gives every label a probability, most likely first, summing to 1', async () => {
    const { classifications } = await infer<XclipZeroShotOutput>({ videos: [videos.walk, videos.run], labels: ['walking', 'running', 'cooking', 'swimming'] });
    expect(classifications).toHaveLength(2);
    for (const ranking of classifications) {
      expect(ranking.map((entry) => entry.label).sort()).toEqual(['cooking', 'running', 'swimming', 'walking']);
      expect(Math.abs(ranking.reduce((sum, entry) => sum + entry.score, 0) - 1)).toBeLessThan(1e-6);
      ranking.slice(1).forEach((entry, index) => expect(entry.score).toBeLessThanOrEqual(ranking[index]!.score));
    }
  });

  it('conditions the labels on the video (not the plain cosine of the two towers), and the template changes the sentences', async () => {
    const labels = ['walking', 'cooking'];
    const scores = (await infer<XclipZeroShotOutput>({ video: videos.walk, labels })).classifications[0]!;
    const video = (await infer<XclipEmbeddingOutput>({ video: videos.walk })).embeddings[0]!;
    const texts = (await infer<XclipEmbeddingOutput>({ texts: labels })).embeddings;
    const logits = texts.map((text) => 100 * text.reduce((sum, value, index) => sum + value * video[index]!, 0));
    const plain = Math.exp(logits[0]!) / (Math.exp(logits[0]!) + Math.exp(logits[1]!));
    expect(Math.abs(scores.find((entry) => entry.label === 'walking')!.score - plain)).toBeGreaterThan(1e-4);
    const templated = (await infer<XclipZeroShotOutput>({ video: videos.walk, labels }, { template: 'a video of {}' })).classifications[0]!;
    expect(templated.find((entry) => entry.label === 'walking')!.score).not.toBeCloseTo(scores.find((entry) => entry.label === 'walking')!.score, 6);
  });

  it('scores each video the same alone as in a batch with other videos and other label sets', async () => {
    const alone = (await infer<XclipZeroShotOutput>({ video: videos.run, labels: ['running', 'jumping'] })).classifications[0]!;
    const [, together] = await Promise.all([
      infer<XclipZeroShotOutput>({ videos: [videos.walk, videos.short], labels: ['walking', 'cooking', 'dancing'] }),
      infer<XclipZeroShotOutput>({ video: videos.run, labels: ['running', 'jumping'] }),
      infer<XclipEmbeddingOutput>({ texts: ['running'] }),
    ]);
    for (const { label, score } of alone) expect(Math.abs(together.classifications[0]!.find((entry) => entry.label === label)!.score - score)).toBeLessThan(1e-5);
  });
});

describe('xclip embeddings', () => {
  it('gives identical embeddings for the same video as a folder, a list of frame files or raw frames', async () => {
    const { embeddings } = await infer<XclipEmbeddingOutput>({ videos: [videos.walk, videos.frameFiles(videos.walk, 8), patternFrames(0, 8)] });
    same(embeddings[1]!, embeddings[0]!);
    same(embeddings[2]!, embeddings[0]!);
  });

  it('depends on content and on frame order', async () => {
    const { embeddings } = await infer<XclipEmbeddingOutput>({ videos: [videos.walk, videos.run, [...videos.frameFiles(videos.walk, 8)].reverse()] });
    expect(largestDifference(embeddings[0]!, embeddings[1]!)).toBeGreaterThan(1e-3);
    expect(largestDifference(embeddings[0]!, embeddings[2]!)).toBeGreaterThan(1e-4);
  });

  it('samples 8 frames evenly: a 16-frame folder equals its frames 1, 3, …, 15; a 3-frame video repeats frames', async () => {
    const picked = evenlySpacedIndices(16, 8);
    expect(picked).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    const files = videos.frameFiles(videos.long, 16);
    const { embeddings } = await infer<XclipEmbeddingOutput>({ videos: [videos.long, picked.map((index) => files[index]!), videos.short] });
    same(embeddings[1]!, embeddings[0]!);
    const repeated = evenlySpacedIndices(3, 8).map((index) => videos.frameFiles(videos.short, 3)[index]!);
    const { embeddings: repeatedEmbeddings } = await infer<XclipEmbeddingOutput>({ videos: [repeated, videos.short] });
    same(repeatedEmbeddings[0]!, repeatedEmbeddings[1]!);
  });

  it('gives the same embeddings in a batch as alone, for videos and texts', async () => {
    const inputs = [videos.walk, patternFrames(3, 6), videos.long];
    const batched = (await infer<XclipEmbeddingOutput>({ videos: inputs })).embeddings;
    const alone = await Promise.all(inputs.map(async (video) => (await infer<XclipEmbeddingOutput>({ video })).embeddings[0]!));
    alone.forEach((embedding, index) => expect(largestDifference(embedding, batched[index]!)).toBeLessThan(1e-5));
    const texts = ['a dog', 'a very long sentence about somebody cooking dinner in a small kitchen'];
    const batchedTexts = (await infer<XclipEmbeddingOutput>({ texts })).embeddings;
    for (const [index, text] of texts.entries()) expect(largestDifference((await infer<XclipEmbeddingOutput>({ texts: text })).embeddings[0]!, batchedTexts[index]!)).toBeLessThan(1e-5);
  });

  it('gives identical text embeddings for identical texts, equal to the text graph output (normalize: false)', async () => {
    const { embeddings } = await infer<XclipEmbeddingOutput>({ texts: ['cooking', 'cooking', 'dancing'] });
    same(embeddings[1]!, embeddings[0]!);
    expect(largestDifference(embeddings[0]!, embeddings[2]!)).toBeGreaterThan(1e-3);
    const raw = (await infer<XclipEmbeddingOutput>({ texts: 'cooking' }, { normalize: false })).embeddings[0]!;
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const ids = tokenizer.encode('cooking');
    const session = await createCpuBackend({ threads: 1 }).doCreateSession({ file: join(directory, 'onnx/text_model.onnx'), device: 'cpu', dtype: 'fp32' });
    const tokens = { type: 'int64', data: BigInt64Array.from(ids, BigInt), dims: [1, ids.length] };
    const mask = { type: 'int64', data: new BigInt64Array(ids.length).fill(1n), dims: [1, ids.length] };
    const reference = (await session.run({ input_ids: tokens, attention_mask: mask })).text_embeds!.data as Float32Array;
    await session.release();
    expect(largestDifference(raw, reference)).toBeLessThan(1e-6);
  });
});

describe('xclip bad videos', () => {
  it.each([
    ['a truncated frame', 'corrupt', 'corruptFrame'],
    ['an empty frame file', 'emptyFrameFolder', 'emptyFrame'],
    ['a text file named .png', 'textFrameFolder', 'textFrame'],
  ] as const)('%s gives a one-line InvalidInputError naming the file, and its batch-mates succeed', async (_name, folderKey, fileKey) => {
    const results = await Promise.allSettled([
      accel.infer(xclipSkill, { video: videos.walk }),
      accel.infer(xclipSkill, { videos: [videos.run, videos[folderKey]], labels: ['a', 'b'] }),
      accel.infer(xclipSkill, { texts: 'walking' }),
      accel.infer(xclipSkill, { video: videos.run, labels: ['a', 'b'] }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    expect(Math.max(...fulfilled.flatMap((result) => result.value.provenance.batchSizes))).toBeGreaterThan(1);
    const error = (results[1] as PromiseRejectedResult).reason as InvalidInputError;
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error.index).toBe(1);
    expect(error.message).toContain(videos[fileKey]);
    expect(error.toLine().split('\n')).toHaveLength(1);
  });

  it.skipIf(ffmpeg)('refuses a video file without ffmpeg, saying how to get it (ffmpeg is not installed here)', async () => {
    const error = await accel.infer(xclipSkill, { video: videos.notAVideo }).catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).message).toMatch(/needs ffmpeg.*install ffmpeg/);
  });

  it.runIf(ffmpeg)('reads a video file through ffmpeg (ffmpeg is installed here)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'skill-xclip-video-'));
    try {
      const file = join(folder, 'walk.mp4');
      await promisify(execFile)('ffmpeg', ['-v', 'error', '-framerate', '8', '-i', join(videos.long, 'frame%d.png'), '-pix_fmt', 'yuv420p', '-vf', 'scale=40:30', '-y', file]);
      const { embeddings } = await infer<XclipEmbeddingOutput>({ video: file });
      expect(embeddings[0]!.every(Number.isFinite)).toBe(true);
      const broken = await accel.infer(xclipSkill, { video: videos.notAVideo }).catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(broken)).toBe(true);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('xclip provenance', () => {
  it('names the task, cpu and the three graph files', async () => {
    const { provenance } = await accel.infer(xclipSkill, { video: videos.walk, labels: ['a', 'b'] });
    expect(provenance).toMatchObject({ backend: 'cpu', device: 'cpu', dtype: 'fp32', task: 'zero-shot-video-classification' });
    expect(provenance.model.files).toEqual(expect.arrayContaining(['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'onnx/prompt_model.onnx', 'preprocessor_config.json']));
  });
});
