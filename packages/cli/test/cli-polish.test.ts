import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectDoctorRows } from '../src/index.js';
import { run } from './run-cli.js';

// Issue 11, section 6: the CLI's output formats, errors, help and flags.

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const require = createRequire(import.meta.url);
let gpt2 = '';
let t5 = '';
let bertTiny = '';
let clip = '';
let folder = '';

beforeAll(async () => {
  gpt2 = (await forgeModel('Xenova/gpt2', { root: modelRoot })).directory;
  t5 = (await forgeModel('Xenova/t5-small', { root: modelRoot })).directory;
  bertTiny = (await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot })).directory;
  clip = (await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot })).directory;
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-polish-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('--stream --json', () => {
  it.each([['gpt2'], ['t5']])('%s prints one JSON event per line: the text pieces, then the result', async (skill) => {
    const model = skill === 'gpt2' ? gpt2 : t5;
    const { code, stdout, written } = await run('run', skill, 'translate English to German: Once upon a time', '--max-new-tokens', '8', '--stream', '--json', '--model', model);
    expect(code).toBe(0);
    expect(written).toEqual([]);
    const events = stdout.split('\n').map((line) => JSON.parse(line) as { type: string; text?: string; output?: { text: string }; provenance?: { skill: string } });
    expect(events.length).toBeGreaterThan(2);
    const result = events.at(-1)!;
    expect(result.type).toBe('result');
    expect(result.provenance?.skill).toBe(skill);
    const pieces = events.slice(0, -1);
    expect(pieces.every((event) => event.type === 'text' && typeof event.text === 'string')).toBe(true);
    expect(pieces.map((event) => event.text).join('')).toBe(result.output?.text);
  });
});

describe('errors', () => {
  it.each([
    [['run', 'gpt2', 'hi', '--max-new-tokens', '-5'], 'ACCEL_INVALID_INPUT', 'invalid input: --max-new-tokens -5: a value that starts with a dash goes after an equals sign: --max-new-tokens=-5'],
    [['run', 'gpt2', 'hi', '--frobnicate'], 'ACCEL_INVALID_INPUT', 'invalid input: accel run gpt2 takes no option --frobnicate (its options: accel run gpt2 --help)'],
    [['run', 'bert', 'hi', '--labels', 'a,b'], 'ACCEL_INVALID_INPUT', 'invalid input: accel run bert takes no option --labels (its options: accel run bert --help)'],
    [['run', 'bert', 'hi', '--stream'], 'ACCEL_INVALID_INPUT', 'invalid input: skill bert does not stream text'],
    [['run', 'bert', 'hi', '--model'], 'ACCEL_INVALID_INPUT', 'invalid input: --model needs a value'],
    [['run', 'bert', 'hi', '--offline=yes'], 'ACCEL_INVALID_INPUT', 'invalid input: --offline takes no value'],
    [['doctor', '--labels', 'x'], 'ACCEL_INVALID_INPUT', 'invalid input: accel doctor takes no option --labels (its options: accel doctor --help)'],
    [['bench', '--model', 'x'], 'ACCEL_INVALID_INPUT', 'invalid input: accel bench takes no option --model (its options: accel bench --help)'],
    [['--bogus'], 'ACCEL_INVALID_INPUT', 'invalid input: accel takes no option --bogus (its options: accel --help)'],
    [
      ['run', 'frobnicator', 'x'],
      'ACCEL_UNSUPPORTED',
      'unsupported: skill frobnicator: no package @accel/skill-frobnicator is installed (installed skills: bert, clap, clip, gpt2, llama, llava, llava-next, sentence-embeddings, t5, text-classification, wav2vec2, whisper, xclip; add one with npm install @accel/skill-<name>)',
    ],
  ])('%j prints error: CODE: message, and with --json one JSON object', async (argv, code, message) => {
    const plain = await run(...argv);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toBe(`error: ${code}: ${message}`);
    const json = await run(...argv, '--json');
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toEqual({ error: { code, message } });
  });

  it('prints a failure during the run as JSON on stderr with --json, through the real executable', async () => {
    const failure = await promisify(execFile)('node', [bin, 'run', 'bert', 'hi', '--model', join(folder, 'no-such-model'), '--json']).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1, stdout: '' });
    const parsed = JSON.parse((failure as { stderr: string }).stderr) as { error: { code: string; message: string } };
    expect(parsed.error.code).toBe('ACCEL_MODEL_NOT_FOUND');
    expect(parsed.error.message).toContain(join(folder, 'no-such-model'));
  });

  it('says that a directory given as an image is a directory', async () => {
    const { code, stderr } = await run('run', 'clip', '--image', folder, '--labels', 'a cat,a dog', '--model', clip);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^error: ACCEL_INVALID_INPUT: invalid input.*: ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a directory, not an image file$`));
  });
});

describe('help and version', () => {
  it('prints its own help for accel, run, run <skill>, doctor and bench', async () => {
    const helps = await Promise.all([['--help'], ['run', '--help'], ['run', 'clip', '--help'], ['run', 'gpt2', '--help'], ['doctor', '--help'], ['bench', '--help']].map((argv) => run(...argv)));
    for (const help of helps) {
      expect(help.code).toBe(0);
      expect(help.stderr).toBe('');
    }
    const [general, runHelp, clipHelp, gpt2Help, doctorHelp, benchHelp] = helps.map((help) => help.stdout);
    expect(new Set([general, runHelp, clipHelp, gpt2Help, doctorHelp, benchHelp]).size).toBe(6);
    expect(general).toMatch(/^ {2}accel run <skill> <input…> \[options\]/m);
    expect(runHelp).toMatch(/^ {2}accel run clip --image/m);
    expect(runHelp).toMatch(/^ {2}--backend +device label: cpu \(default\), wasm, cuda:0/m);
    expect(clipHelp).toMatch(/^clip — CLIP image and text embeddings.*\(@accel\/skill-clip\)\n\nusage:\n {2}accel run clip --image/);
    expect(clipHelp).toMatch(/^ {2}--labels "a cat,a dog" +comma-separated labels/m);
    // Options come from the skill's schema, with their descriptions and ranges.
    expect(clipHelp).toMatch(/^options of clip \(from its schema\):\n {2}--template <value> +zero-shot classification: the sentence each label goes into/m);
    expect(clipHelp).toMatch(/^ {2}--logit-scale <number> +.*\(default 100; > 0\)$/m);
    expect(clipHelp).toMatch(/^ {2}--\[no-\]normalize +embedding tasks/m);
    expect(clipHelp).not.toMatch(/--max-new-tokens/);
    expect(gpt2Help).toMatch(/^ {2}--max-new-tokens <number> +most tokens to generate/m);
    expect(gpt2Help).toMatch(/^ {2}--input-file <path \| -> +read one input from a file/m);
    expect(doctorHelp).toMatch(/^usage: accel doctor \[--smoke\]/);
    expect(benchHelp).toMatch(/^usage: accel bench \[--quick\]/);
  });

  it('--version prints the CLI version and each installed @accel package', async () => {
    const { code, stdout } = await run('--version');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`@accel/cli ${(JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}`);
    const expected = ['@accel/core', '@accel/transformers-kit', '@accel/bench', '@accel/model-forge', '@accel/backend-cpu', '@accel/backend-cuda', '@accel/backend-openvino', '@accel/backend-wasm'];
    const skills = (await readdir(new URL('../../', import.meta.url))).filter((folder) => folder.startsWith('skill-')).map((folder) => `@accel/${folder}`);
    for (const name of [...expected, ...skills]) {
      expect(lines).toContain(`${name} ${(require(`${name}/package.json`) as { version: string }).version}`);
    }
    expect(lines).toHaveLength(1 + expected.length + skills.length);
  });
});

describe('skipped backends', () => {
  it('--fallback prints one short line per skipped stage; --verbose the full reason and the fix', async (context) => {
    const unavailable = (await collectDoctorRows()).find((row) => row.installed && !row.available && row.fix !== undefined && row.reason !== undefined);
    if (unavailable === undefined) {
      context.skip('every installed backend is available on this machine: no stage to skip');
      return;
    }
    const argv = ['run', 'bert', 'hi', '--backend', unavailable.backend, '--fallback', 'cpu', '--model', bertTiny];
    const short = await run(...argv);
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(/^ {2}fallbacks: 1 stage skipped$/m);
    const line = short.stdout.split('\n').find((candidate) => candidate.startsWith(`    ${unavailable.backend} → cpu: `));
    expect(line).toBeDefined();
    expect(line!.length).toBeLessThan(200);
    expect(short.stdout).not.toContain('fix:');
    expect(short.stdout).not.toContain(unavailable.fix!);
    const verbose = await run(...argv, '--verbose');
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toContain(`    ${unavailable.backend} → cpu: ACCEL_BACKEND_UNAVAILABLE: ${unavailable.reason!}`);
    expect(verbose.stdout).toContain(`      fix: ${unavailable.fix!}`);
  });
});
