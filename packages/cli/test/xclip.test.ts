import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgeModel } from '@accel/model-forge';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let xclip = '';
let folder = '';
let frames = '';
let empty = '';

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

beforeAll(async () => {
  xclip = (await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot })).directory;
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-xclip-'));
  frames = join(folder, 'frames');
  empty = join(folder, 'empty');
  await mkdir(frames);
  await mkdir(empty);
  for (let time = 0; time < 10; time += 1) {
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 20 * time, g: 200 - 15 * time, b: 90 } } })
      .composite([{ input: { create: { width: 8, height: 8, channels: 3, background: { r: 255, g: 255, b: 0 } } }, left: time * 3, top: 10 }])
      .png()
      .toFile(join(frames, `${time}.png`));
  }
  await writeFile(join(empty, 'notes.txt'), 'no frames here');
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('accel run xclip', () => {
  it('classifies --frames dir/ with --labels: every label with a score, most likely first', async () => {
    const { code, stdout } = await run('run', 'xclip', '--frames', frames, '--labels', 'walking,cooking,dancing', '--model', xclip, '--threads', '1');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(frames);
    const scores = lines.slice(1, 4).map((line) => Number(line.match(/^ {2}(?:walking|cooking|dancing)\s+(\d\.\d{4})$/)?.[1]));
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(scores.reduce((sum, score) => sum + score, 0)).toBeCloseTo(1, 3);
    expect(stdout).toContain('onnx/prompt_model.onnx');
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await run('run', 'xclip', '--frames', frames, '--labels', 'walking,cooking', '--template', 'a video of {}', '--model', xclip, '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { output: { task: string; classifications: Array<Array<{ label: string; score: number }>> }; provenance: { task: string } };
    expect(parsed.output.task).toBe('zero-shot-video-classification');
    expect(parsed.provenance.task).toBe('zero-shot-video-classification');
    expect(parsed.output.classifications[0]!.map((entry) => entry.label).sort()).toEqual(['cooking', 'walking']);
    expect(parsed.output.classifications[0]!.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 6);
  });

  it('embeds a video given as frame files, and texts alone', async () => {
    const list = [0, 2, 4, 6, 8].map((time) => join(frames, `${time}.png`)).join(',');
    const video = await run('run', 'xclip', '--frames', list, '--model', xclip, '--json');
    expect(video.code).toBe(0);
    const parsed = JSON.parse(video.stdout) as { output: { task: string; embeddings: number[][] } };
    expect(parsed.output.task).toBe('video-embedding');
    expect(parsed.output.embeddings[0]).toHaveLength(32);
    const texts = await run('run', 'xclip', 'cooking dinner', 'walking a dog', '--model', xclip);
    expect(texts.code).toBe(0);
    expect(texts.stdout).toMatch(/^"cooking dinner" → \[.*\] \(32 dims, norm 1\.0000\)$/m);
  });

  it('lists --frames and --labels, and its schema\'s options, in --help', async () => {
    const { code, stdout } = await run('run', 'xclip', '--help');
    expect(code).toBe(0);
    for (const flag of ['--frames <folder | video file | frame,frame,…>', '--labels "cooking,dancing"', '--template <value>', '--[no-]normalize', '--input-file']) expect(stdout).toContain(flag);
  });

  it.each([
    [['--labels', 'a,b'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run xclip --labels needs --frames/],
    [['--frames', 'dir', 'a text'], /takes --frames or texts, not both/],
    [[], /accel run xclip needs --frames/],
    [['--frames', 'dir', '--labels', 'a,b', '--template', 'video'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.template: template must contain \{\} where the label goes, got "video"$/],
  ])('exits non-zero with one line for %j', async (argv, message) => {
    const { code, stderr } = await run('run', 'xclip', ...argv, '--model', xclip);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('says in one line when a folder holds no frames', async () => {
    const { code, stderr } = await run('run', 'xclip', '--frames', empty, '--labels', 'a,b', '--model', xclip);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: ACCEL_INVALID_INPUT: invalid input: the folder .*empty holds no frame images/);
  });
});
