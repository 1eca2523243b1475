import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { forgeModel } from '@accel/model-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const bin = new URL('../dist/bin.js', import.meta.url).pathname;
let gpt2 = '';

beforeAll(async () => {
  gpt2 = (await forgeModel('Xenova/gpt2', { root: modelRoot })).directory;
});

describe('accel run gpt2', () => {
  it('streams tokens as they come with --stream and ends with a provenance line giving tokens/s', async () => {
    const { code, stdout, written } = await run('run', 'gpt2', 'Once upon a time', '--max-new-tokens', '16', '--stream', '--model', gpt2, '--threads', '1');
    expect(code).toBe(0);
    expect(written.length).toBeGreaterThan(1);
    const json = await run('run', 'gpt2', 'Once upon a time', '--max-new-tokens', '16', '--model', gpt2, '--json');
    expect(written.join('')).toBe((JSON.parse(json.stdout) as { output: { text: string } }).output.text);
    expect(stdout).toMatch(/backend cpu · device cpu · dtype fp32/);
    expect(stdout.split('\n').at(-1)).toMatch(/tokensPerSecond \d+(\.\d+)?/);
    expect(stdout).toMatch(/timeToFirstTokenMs [\d.]+, tokensPerSecond [\d.]+, tokensGenerated 16/);
  });

  it('prints the text and why generation stopped without --stream', async () => {
    const { code, stdout } = await run('run', 'gpt2', 'Once', 'upon', 'a', 'time', '--max-new-tokens', '8', '--model', gpt2);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\[stopped: (length after 8 tokens|eos after \d+ tokens?)\]/);
    expect(stdout).toContain('onnx/model.onnx');
  });

  it('passes --temperature, --top-k, --top-p and --seed: the same seed gives the same text, another seed other text', async () => {
    const sample = async (seed: string) => {
      const { code, stdout } = await run('run', 'gpt2', 'Once upon a time', '--max-new-tokens', '16', '--temperature', '1', '--top-k', '50', '--top-p', '0.95', '--seed', seed, '--model', gpt2, '--json');
      expect(code).toBe(0);
      return (JSON.parse(stdout) as { output: { tokens: number[] } }).output.tokens;
    };
    const first = await sample('11');
    expect(await sample('11')).toEqual(first);
    expect(await sample('12')).not.toEqual(first);
  });

  it('cuts the text at --stop', async () => {
    const free = JSON.parse((await run('run', 'gpt2', 'Once upon a time', '--max-new-tokens', '24', '--temperature', '1', '--seed', '3', '--model', gpt2, '--json')).stdout) as { output: { text: string } };
    const stop = free.output.text.slice(free.output.text.length - 6, free.output.text.length - 4);
    const { stdout } = await run('run', 'gpt2', 'Once upon a time', '--max-new-tokens', '24', '--temperature', '1', '--seed', '3', '--stop', stop, '--model', gpt2, '--json');
    const cut = JSON.parse(stdout) as { output: { text: string; stopReason: string } };
    expect(cut.output).toMatchObject({ text: free.output.text.slice(0, free.output.text.indexOf(stop)), stopReason: 'stop-string' });
  });

  it('uses the default model Xenova/gpt2 from --cache-dir', async () => {
    const { code, stdout } = await run('run', 'gpt2', 'hello', '--max-new-tokens', '4', '--cache-dir', modelRoot);
    expect(code).toBe(0);
    expect(stdout).toContain('model Xenova/gpt2');
  });

  it.each([
    [['run', 'gpt2', '--max-new-tokens', '4'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run gpt2 needs a prompt$/],
    [['run', 'gpt2', 'hi', '--max-new-tokens', '0'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.maxNewTokens: maxNewTokens must be a positive integer$/],
    [['run', 'gpt2', 'hi', '--temperature=-1'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.temperature: temperature must be ≥ 0$/],
    [['run', 'gpt2', 'hi', '--top-p', '2'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.topP: topP must be in \(0, 1\]$/],
    [['run', 'gpt2', 'hi', '--seed', 'abc'], /^error: ACCEL_INVALID_INPUT: invalid input: --seed must be a number, got abc$/],
    [['run', 'gpt2', 'hi', '--chat'], /^error: ACCEL_INVALID_INPUT: invalid input: model gpt2 has no chat template/],
    [['run', 'gpt2', 'hi', '--system', 'be brief'], /^error: ACCEL_INVALID_INPUT: invalid input: --system needs --chat$/],
  ])('exits non-zero with one line for %j', async (argv, message) => {
    const { code, stderr } = await run(...argv, '--model', gpt2);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('streams through the real executable', async () => {
    const { stdout } = await promisify(execFile)('node', [bin, 'run', 'gpt2', 'Once upon a time', '--max-new-tokens', '8', '--stream', '--model', gpt2, '--threads', '1']);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/tokensPerSecond [\d.]+, tokensGenerated \d+/);
    expect(stdout).toMatch(/provenance: endpoint gpt2@cpu/);
  });
});
