import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { forgeModel } from '@accel/model-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const bin = new URL('../dist/bin.js', import.meta.url).pathname;
let miniLm: string;
let bertTiny: string;

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

beforeAll(async () => {
  miniLm = (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot })).directory;
  bertTiny = (await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot })).directory;
});

describe('accel run', () => {
  it('prints normalised sentence vectors with provenance naming cpu, fp32 and the model file', async () => {
    const { code, stdout } = await run('run', 'sentence-embeddings', 'a cat', 'a dog', '--model', miniLm, '--threads', '1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/"a cat" → \[.*\] \(32 dims, norm 1\.0000\)/);
    expect(stdout).toMatch(/"a dog" → \[.*\] \(32 dims, norm 1\.0000\)/);
    expect(stdout).toMatch(/backend cpu · device cpu · dtype fp32/);
    expect(stdout).toContain('onnx/model.onnx');
    expect(stdout).toMatch(/; one batch of 2$/m);
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await run('run', 'bert', 'hello there', '--model', bertTiny, '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { output: { embeddings: number[][] }; provenance: { backend: string; model: { files: string[] } } };
    expect(parsed.output.embeddings[0]).toHaveLength(32);
    expect(parsed.provenance.backend).toBe('cpu');
  });

  it('finds a hub id in --cache-dir', async () => {
    const { code, stdout } = await run('run', 'bert', 'hello', '--cache-dir', modelRoot);
    expect(code).toBe(0);
    expect(stdout).toContain('model onnx-community/bert-tiny-ONNX');
  });

  it.each([
    [['run', 'bert', '', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: the text is empty$/],
    [['run', 'bert', 'hi', '--model', '/no/such/folder'], /^error: ACCEL_MODEL_NOT_FOUND: model \/no\/such\/folder not found/],
    [['run', 'bert', 'hi', '--cache-dir', '/tmp/accel-no-cache', '--offline'], /ACCEL_MODEL_NOT_FOUND.*\/tmp\/accel-no-cache\/onnx-community\/bert-tiny-ONNX.*accel models pull onnx-community\/bert-tiny-ONNX/],
    [['run', 'frobnicator', 'x'], /^error: ACCEL_UNSUPPORTED: unsupported: skill frobnicator/],
    [['run', 'bert', 'hi', '--backend', 'tpu'], /^error: ACCEL_BACKEND_UNAVAILABLE: backend tpu is unavailable/],
    [['run', 'bert', 'hi', '--dtype', 'fp64'], /^error: ACCEL_INVALID_INPUT: invalid input: unknown dtype fp64$/],
    [['frobnicate'], /unknown command frobnicate/],
    [['run', 'bert', '--bogus'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run bert takes no option --bogus \(its options: accel run bert --help\)$/],
  ])('exits non-zero with one line for %j', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});

describe('accel doctor', () => {
  it('shows cpu and wasm available, and cuda and openvino unavailable with precise reasons and fixes', async () => {
    const { code, stdout } = await run('doctor');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^cpu\s+yes\s+cpu \(/m);
    expect(stdout).toMatch(/^wasm\s+yes\s+wasm \(/m);
    expect(stdout).toMatch(/^cuda\s+no\s+/m);
    expect(stdout).toMatch(/^openvino\s+no\s+/m);
    expect(stdout).toMatch(/^cuda: unavailable: .*(no NVIDIA driver|libonnxruntime_providers_cuda\.so)/m);
    expect(stdout).toMatch(/^openvino: unavailable: openvino-node requires Node\.js ≥ 21/m);
    expect(stdout).toMatch(/fix: .*(driver|ONNXRUNTIME_NODE_INSTALL)/);
    expect(stdout).toMatch(/fix: use Node 22 LTS/);
  });

  it('--smoke passes every installed skill on every available backend from forged models, without network', async () => {
    const { code, stdout } = await run('doctor', '--smoke', '--cache-dir', modelRoot);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^bert\s+cpu\s+passed/m);
    expect(stdout).toMatch(/^bert\s+wasm\s+passed/m);
    expect(stdout).toMatch(/^sentence-embeddings\s+cpu\s+passed/m);
    expect(stdout).toMatch(/smoke: \d+ passed, 0 failed, \d+ skipped/);
    // An unavailable backend's reason is stated once (in doctor's table), not once per skill.
    const [doctorPart, smokePart] = stdout.split(/\n(?=skill\s+backend\s+result)/);
    expect(smokePart).not.toMatch(/^\S+\s+openvino\s+skipped/m);
    expect(smokePart).toMatch(/^openvino: skipped for all \d+ skills: unavailable here \(the reason and fix are above\)$/m);
    expect(stdout.split('openvino-node requires Node.js').length - 1).toBe(1);
    expect(doctorPart).toMatch(/^openvino: unavailable: openvino-node requires Node\.js/m);
  });

  it('runs as a real executable and exits non-zero on a typed error without a stack trace', async () => {
    const failure = await promisify(execFile)('node', [bin, 'run', 'bert', '', '--model', bertTiny]).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr.trim()).toBe('error: ACCEL_INVALID_INPUT: invalid input: the text is empty');
    const verbose = await promisify(execFile)('node', [bin, 'run', 'bert', '', '--verbose']).catch((error: { stderr: string }) => error);
    expect((verbose as { stderr: string }).stderr).toContain('at ');
  });
});
