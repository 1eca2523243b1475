import { forgeModel } from '@accel/model-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let opt = '';
let smolLm = '';

beforeAll(async () => {
  opt = (await forgeModel('Xenova/opt-125m', { root: modelRoot })).directory;
  smolLm = (await forgeModel('HuggingFaceTB/SmolLM2-135M-Instruct', { root: modelRoot })).directory;
});

describe('accel run llama', () => {
  it('streams an OPT model’s tokens with --stream and ends with a provenance line giving tokens/s', async () => {
    const { code, stdout, written } = await run('run', 'llama', 'Once upon a time', '--max-new-tokens', '12', '--stream', '--model', opt, '--threads', '1');
    expect(code).toBe(0);
    expect(written.length).toBeGreaterThan(1);
    expect(stdout).toMatch(/provenance: endpoint llama@cpu · backend cpu/);
    expect(stdout.split('\n').at(-1)).toMatch(/tokensPerSecond [\d.]+, tokensGenerated 12/);
  });

  it('sends --chat (with --system) through the model’s chat template', async () => {
    const chat = await run('run', 'llama', 'Name a colour.', '--chat', '--system', 'You are terse.', '--max-new-tokens', '6', '--model', smolLm, '--json');
    expect(chat.code).toBe(0);
    const rendered = '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n';
    const plain = await run('run', 'llama', rendered, '--max-new-tokens', '6', '--model', smolLm, '--json');
    expect((JSON.parse(chat.stdout) as { output: unknown }).output).toEqual((JSON.parse(plain.stdout) as { output: unknown }).output);
  });

  it('refuses --chat for a model without a chat template', async () => {
    const { code, stderr } = await run('run', 'llama', 'hi', '--chat', '--model', opt);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: ACCEL_INVALID_INPUT: invalid input: model opt-125m has no chat template/);
  });

  it('uses the default model Xenova/opt-125m from --cache-dir', async () => {
    const { code, stdout } = await run('run', 'llama', 'hello', '--max-new-tokens', '4', '--cache-dir', modelRoot);
    expect(code).toBe(0);
    expect(stdout).toContain('model Xenova/opt-125m');
    expect(stdout).toMatch(/\[stopped: (length after 4 tokens|eos after \d+ tokens?)\]/);
  });
});
