import { forgeModel } from '@accel/model-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const prompt = 'translate English to German: the house is small';
let t5Small = '';

interface JsonResult {
  output: { text: string; stopReason: string };
  provenance: { skill: string; backend: string; model: { files: string[] }; timings: Record<string, number> };
}

beforeAll(async () => {
  t5Small = (await forgeModel('Xenova/t5-small', { root: modelRoot })).directory;
});

describe('accel run t5', () => {
  it('prints the generated text, why it stopped, and provenance with tokens per second', async () => {
    const { code, stdout, stderr } = await run('run', 't5', prompt, '--model', t5Small, '--max-new-tokens', '6', '--threads', '1');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [text, stopped] = stdout.split('\n');
    expect(text!.length).toBeGreaterThan(0);
    expect(stopped).toBe('[stopped: length after 6 tokens]');
    expect(stdout).toMatch(/backend cpu · device cpu · dtype fp32/);
    expect(stdout).toContain('onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx');
    expect(stdout).toMatch(/tokensPerSecond \d+(\.\d+)?/);
    expect(stdout).toMatch(/tokensGenerated 6\b/);
  });

  it('prints JSON with --json, and streams the same text with --stream', async () => {
    const json = await run('run', 't5', prompt, '--model', t5Small, '--max-new-tokens', '8', '--json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as JsonResult;
    expect(parsed.output.stopReason).toBe('length');
    expect(parsed.provenance).toMatchObject({ skill: 't5', backend: 'cpu' });
    expect(parsed.provenance.timings.tokensGenerated).toBe(8);

    const streamed = await run('run', 't5', prompt, '--model', t5Small, '--max-new-tokens', '8', '--stream');
    expect(streamed.code).toBe(0);
    expect(streamed.written.length).toBeGreaterThan(1);
    expect(streamed.written.join('')).toBe(parsed.output.text);
    expect(streamed.stdout).toMatch(/^\nprovenance: endpoint t5@cpu/);
    expect(streamed.stdout).toMatch(/tokensPerSecond/);
  });

  it('samples reproducibly with --temperature and --seed, and cuts at --stop', async () => {
    const sample = async (seed: string) =>
      (JSON.parse((await run('run', 't5', prompt, '--model', t5Small, '--temperature', '1.5', '--seed', seed, '--json')).stdout) as JsonResult).output.text;
    expect(await sample('3')).toBe(await sample('3'));
    const greedy = JSON.parse((await run('run', 't5', prompt, '--model', t5Small, '--max-new-tokens', '12', '--json')).stdout) as JsonResult;
    const stop = ` ${greedy.output.text.split(' ')[2]}`;
    const cut = JSON.parse((await run('run', 't5', prompt, '--model', t5Small, '--max-new-tokens', '12', '--stop', stop, '--json')).stdout) as JsonResult;
    expect(cut.output).toEqual({ text: greedy.output.text.slice(0, greedy.output.text.indexOf(stop)), stopReason: 'stop-string' });
  });

  it.each([
    [['--max-new-tokens', '0'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.maxNewTokens: maxNewTokens must be a positive integer$/],
    [['--temperature', 'hot'], /^error: ACCEL_INVALID_INPUT: invalid input: --temperature must be a number, got hot$/],
    [['--top-p', '2'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.topP: topP must be in \(0, 1\]$/],
    [['--chat'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run t5 takes no option --chat \(its options: accel run t5 --help\)$/],
  ])('exits non-zero with one line for %j', async (flags, message) => {
    const { code, stderr } = await run('run', 't5', prompt, '--model', t5Small, ...flags);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('needs a prompt', async () => {
    const { code, stderr } = await run('run', 't5', '--model', t5Small);
    expect(code).toBe(1);
    expect(stderr).toMatch(/accel run t5 needs a prompt/);
  });
});
