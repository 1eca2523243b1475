import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgeModel } from '@accel/model-forge';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let clip = '';
let folder = '';
let cat = '';
let dog = '';
let broken = '';

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

async function picture(path: string, seed: number): Promise<void> {
  const width = 40;
  const height = 30;
  const data = Buffer.alloc(width * height * 3);
  for (let index = 0; index < width * height; index += 1) {
    data[index * 3] = (index * (3 + seed)) % 256;
    data[index * 3 + 1] = ((index % width) * 6 * (seed + 1)) % 256;
    data[index * 3 + 2] = (Math.floor(index / width) * 8 + seed * 70) % 256;
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

beforeAll(async () => {
  clip = (await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot })).directory;
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-clip-'));
  cat = join(folder, 'cat.png');
  dog = join(folder, 'dog.png');
  broken = join(folder, 'broken.png');
  await picture(cat, 0);
  await picture(dog, 1);
  await writeFile(broken, 'not a picture');
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('accel run clip', () => {
  it('classifies --image with --labels: every label with a score, most likely first, and the provenance', async () => {
    const { code, stdout } = await run('run', 'clip', '--image', cat, '--labels', 'a cat, a dog', '--model', clip, '--threads', '1');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(cat);
    const scores = lines.slice(1, 3).map((line) => line.match(/^ {2}(a cat|a dog)\s+(\d\.\d{4})$/));
    expect(scores.every((match) => match !== null)).toBe(true);
    expect(scores.map((match) => match![1]).sort()).toEqual(['a cat', 'a dog']);
    expect(Number(scores[0]![2])).toBeGreaterThanOrEqual(Number(scores[1]![2]));
    expect(Number(scores[0]![2]) + Number(scores[1]![2])).toBeCloseTo(1, 3);
    expect(stdout).toMatch(/backend cpu · device cpu · dtype fp32/);
    expect(stdout).toContain('onnx/vision_model.onnx');
  });

  it('prints JSON with --json, and --template changes the sentences the labels go into', async () => {
    const plain = await run('run', 'clip', '--image', cat, '--image', dog, '--labels', 'cat,dog', '--model', clip, '--json');
    expect(plain.code).toBe(0);
    const parsed = JSON.parse(plain.stdout) as {
      output: { task: string; classifications: Array<Array<{ label: string; score: number }>> };
      provenance: { task: string; backend: string };
    };
    expect(parsed.output.task).toBe('zero-shot-image-classification');
    expect(parsed.provenance).toMatchObject({ task: 'zero-shot-image-classification', backend: 'cpu' });
    expect(parsed.output.classifications).toHaveLength(2);
    for (const ranking of parsed.output.classifications) expect(ranking.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 6);
    const templated = JSON.parse((await run('run', 'clip', '--image', cat, '--image', dog, '--labels', 'cat,dog', '--template', 'a drawing of {}', '--model', clip, '--json')).stdout) as typeof parsed;
    expect(templated.output.classifications[0]![0]!.score).not.toBe(parsed.output.classifications[0]![0]!.score);
  });

  it('embeds texts alone, images alone, and compares images with texts', async () => {
    const texts = await run('run', 'clip', 'a cat', 'a dog', '--model', clip);
    expect(texts.code).toBe(0);
    expect(texts.stdout).toMatch(/^"a cat" → \[.*\] \(32 dims, norm 1\.0000\)$/m);
    expect(texts.stdout).toMatch(/^"a dog" → \[.*\] \(32 dims, norm 1\.0000\)$/m);
    const images = await run('run', 'clip', '--image', cat, '--image', dog, '--model', clip, '--json');
    const embedded = JSON.parse(images.stdout) as { output: { task: string; embeddings: number[][] } };
    expect(embedded.output.task).toBe('image-embedding');
    expect(embedded.output.embeddings.map((embedding) => embedding.length)).toEqual([32, 32]);
    const similarity = await run('run', 'clip', '--image', cat, 'a cat', 'a dog', '--model', clip);
    expect(similarity.code).toBe(0);
    expect(similarity.stdout).toMatch(new RegExp(`^${cat.replaceAll('/', '\\/')}: "a cat" -?\\d\\.\\d{4}, "a dog" -?\\d\\.\\d{4}$`, 'm'));
  });

  it.each([
    [['--labels', 'a,b'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run clip --labels needs at least one --image$/],
    [['--image', 'x.png', '--labels', ' , '], /--labels needs at least one label/],
    [['--image', 'x.png', '--labels', 'a,b', '--template', 'a photo'], /options\.template: template must contain \{\} where the label goes/],
    [['--image', 'x.png', '--logit-scale', 'big'], /--logit-scale must be a number, got big/],
    [[], /accel run clip needs --image <file> and\/or texts/],
  ])('exits non-zero with one line for %j', async (argv, message) => {
    const { code, stderr } = await run('run', 'clip', ...argv, '--model', clip);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('names an undecodable image in a one-line error', async () => {
    const { code, stderr } = await run('run', 'clip', '--image', cat, '--image', broken, '--labels', 'a,b', '--model', clip);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: ACCEL_INVALID_INPUT: invalid input at index 1: cannot decode .*broken\.png as an image/);
  });
});
