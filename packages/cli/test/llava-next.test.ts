import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgeModel } from '@accel/model-forge';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let llavaNext = '';
let folder = '';
let wide = '';
let tall = '';

beforeAll(async () => {
  llavaNext = (await forgeModel('llava-hf/llava-onevision-qwen2-0.5b-ov-hf', { root: modelRoot })).directory;
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-llava-next-'));
  wide = join(folder, 'a.png');
  tall = join(folder, 'b.png');
  await sharp({ create: { width: 200, height: 40, channels: 3, background: { r: 10, g: 120, b: 240 } } }).png().toFile(wide);
  await sharp({ create: { width: 32, height: 160, channels: 3, background: { r: 250, g: 200, b: 0 } } }).png().toFile(tall);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('accel run llava-next', () => {
  it('compares two --image files, tiled at any resolution', async () => {
    const { code, stdout } = await run('run', 'llava-next', '--image', wide, '--image', tall, 'Compare them', '--max-new-tokens', '6', '--model', llavaNext, '--threads', '1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\[stopped: (length after 6 tokens|eos after \d+ tokens?)\]/);
    // On the tiny LLaVA-OneVision geometry 200×40 and 32×160 take 116 image tokens each (skill-llava-next's tests).
    expect(stdout).toMatch(/promptTokens (\d+)/);
    expect(Number(/promptTokens (\d+)/.exec(stdout)![1])).toBeGreaterThan(116 + 116);
  });

  it('streams with --stream and prints JSON with --json', async () => {
    const streamed = await run('run', 'llava-next', '--image', wide, 'What is in the picture?', '--max-new-tokens', '8', '--stream', '--model', llavaNext);
    expect(streamed.code).toBe(0);
    const json = await run('run', 'llava-next', '--image', wide, 'What is in the picture?', '--max-new-tokens', '8', '--json', '--model', llavaNext);
    expect(streamed.written.join('')).toBe((JSON.parse(json.stdout) as { output: { text: string } }).output.text);
  });

  it('refuses a prompt whose <image> placeholders do not match the --image files', async () => {
    const { code, stderr } = await run('run', 'llava-next', '--image', wide, 'Compare <image> with <image>', '--model', 'unused');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: ACCEL_INVALID_INPUT: invalid input: the prompt has 2 <image> placeholder\(s\) for 1 image\(s\)/);
  });
});
