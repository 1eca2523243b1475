import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgeModel } from '@accel/model-forge';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let llava = '';
let folder = '';
let picture = '';

beforeAll(async () => {
  llava = (await forgeModel('llava-hf/llava-interleave-qwen-0.5b-hf', { root: modelRoot })).directory;
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-llava-'));
  picture = join(folder, 'x.png');
  await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 90 } } }).png().toFile(picture);
  await writeFile(join(folder, 'broken.png'), 'not a picture');
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('accel run llava', () => {
  it('answers --image and a prompt, and says why generation stopped', async () => {
    const { code, stdout } = await run('run', 'llava', '--image', picture, 'What is in the picture?', '--max-new-tokens', '6', '--model', llava, '--threads', '1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\[stopped: (length after 6 tokens|eos after \d+ tokens?)\]/);
    expect(stdout).toContain('onnx/vision_encoder.onnx');
    expect(stdout).toMatch(/timeToFirstTokenMs [\d.]+, tokensPerSecond [\d.]+, tokensGenerated \d+/);
  });

  it('streams with --stream the text --json reports', async () => {
    const streamed = await run('run', 'llava', '--image', picture, 'What', 'is', 'in', 'the', 'picture?', '--max-new-tokens', '8', '--stream', '--model', llava);
    expect(streamed.code).toBe(0);
    expect(streamed.written.length).toBeGreaterThan(0);
    expect(streamed.stdout.split('\n').at(-1)).toMatch(/tokensPerSecond/);
    const json = await run('run', 'llava', '--image', picture, 'What is in the picture?', '--max-new-tokens', '8', '--json', '--model', llava);
    const parsed = JSON.parse(json.stdout) as { output: { text: string; tokens: number[] }; provenance: { skill: string } };
    expect(streamed.written.join('')).toBe(parsed.output.text);
    expect(parsed.provenance.skill).toBe('llava');
  });

  it('finds the default model in --cache-dir and takes --image more than once', async () => {
    const one = JSON.parse((await run('run', 'llava', '--image', picture, 'Compare', '--max-new-tokens', '1', '--cache-dir', modelRoot, '--json')).stdout) as { provenance: { timings: { promptTokens: number } } };
    const two = await run('run', 'llava', '--image', picture, '--image', picture, 'Compare', '--max-new-tokens', '1', '--cache-dir', modelRoot, '--json');
    expect(two.code).toBe(0);
    const parsed = JSON.parse(two.stdout) as { provenance: { model: { id: string }; timings: { promptTokens: number } } };
    expect(parsed.provenance.model.id).toBe('llava-hf/llava-interleave-qwen-0.5b-hf');
    expect(parsed.provenance.timings.promptTokens - one.provenance.timings.promptTokens).toBe(16 + 1);
  });

  it('takes --chat and --system, and lists the generation options of its schema in --help', async () => {
    const chat = await run('run', 'llava', '--image', picture, 'What is in the picture?', '--chat', '--system', 'Be brief.', '--max-new-tokens', '2', '--model', llava, '--json');
    expect(chat.code).toBe(0);
    expect((JSON.parse(chat.stdout) as { output: { tokens: number[] } }).output.tokens.length).toBeLessThanOrEqual(2);
    const help = await run('run', 'llava', '--help');
    expect(help.code).toBe(0);
    for (const flag of ['--image <file>', '--chat', '--system <text>', '--max-new-tokens <number>', '--temperature <number>', '--top-k <number>', '--top-p <number>', '--repetition-penalty <number>', '--stop <value>', '--seed <number>', '--[no-]apply-chat-template']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it.each([
    [['run', 'llava', 'What is in the picture?', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run llava needs at least one --image$/],
    [['run', 'llava', '--image', 'x.png', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run llava needs a prompt/],
    [['run', 'llava', '--image', '/no/such/picture.png', 'hi', '--model', '%MODEL%'], /^error: ACCEL_INVALID_INPUT: .*cannot decode \/no\/such\/picture\.png/],
    [['run', 'llava', '--image', '%BROKEN%', 'hi', '--model', '%MODEL%'], /^error: ACCEL_INVALID_INPUT: .*cannot decode .*broken\.png as an image/],
    [['run', 'llava', '--image', 'x.png', 'hi', '--max-new-tokens', '0', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.maxNewTokens: maxNewTokens must be a positive integer(, got 0)?$/],
    [['run', 'llava', '--image', 'x.png', 'hi', '--max-new-tokens', 'many', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: --max-new-tokens must be a number, got many$/],
    [['run', 'llava', '--image', 'x.png', 'hi', '--top-p', '2', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.topP: topP must be in \(0, 1\](, got 2)?$/],
    [['run', 'llava', '--image', 'x.png', 'hi', '--system', 'be brief', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: --system needs --chat$/],
  ])('exits non-zero with one line for %j', async (argv, message) => {
    const { code, stderr } = await run(...argv.map((argument) => argument.replace('%MODEL%', llava).replace('%BROKEN%', join(folder, 'broken.png'))));
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
