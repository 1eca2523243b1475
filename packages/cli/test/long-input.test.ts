import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

// Issue 11, section 2: 14.5 KB of text as an argument crashed the process (onnxruntime-node's
// telemetry read the command line with a recursive regex). 100,000 characters now go through the
// real executable as an argument and through stdin, on cpu and on wasm.

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const longText = 'the quick brown fox jumps over the lazy dog '.repeat(2400).slice(0, 100_000);
let miniLm = '';
let gpt2 = '';
let clip = '';
let folder = '';

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `accel` executable, optionally writing `stdin` to it. */
function accel(argv: readonly string[], stdin?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

async function run(argv: readonly string[], stdin?: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    ...(stdin === undefined ? {} : { readStdin: () => Promise.resolve(stdin) }),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

interface JsonResult {
  output: { embeddings: number[][] };
  provenance: { backend: string; notes: Array<{ kind: string; item?: number; message: string }> };
}

beforeAll(async () => {
  miniLm = (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot })).directory;
  gpt2 = (await forgeModel('Xenova/gpt2', { root: modelRoot })).directory;
  clip = (await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot })).directory;
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-input-file-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe.each(['cpu', 'wasm'])('100,000 characters of text on %s', (backend) => {
  it('goes through the executable as an argument and via --input-file -, truncated to the context length with a provenance note', async () => {
    const common = ['run', 'sentence-embeddings', '--model', miniLm, '--backend', backend, '--threads', '1', '--json'];
    const asArgument = await accel([...common, longText]);
    expect(asArgument.signal, asArgument.stderr).toBeNull();
    expect(asArgument.code, asArgument.stderr).toBe(0);
    const viaStdin = await accel([...common, '--input-file', '-'], `${longText}\n`);
    expect(viaStdin.code, viaStdin.stderr).toBe(0);

    for (const outcome of [asArgument, viaStdin]) {
      const result = JSON.parse(outcome.stdout) as JsonResult;
      expect(result.provenance.backend).toBe(backend);
      expect(result.output.embeddings).toHaveLength(1);
      expect(result.output.embeddings[0]).toHaveLength(32);
      expect(result.provenance.notes).toHaveLength(1);
      expect(result.provenance.notes[0]).toMatchObject({ kind: 'truncated' });
      const [, from, to] = /^truncated from (\d+) to (\d+) tokens \(the context length\)$/.exec(result.provenance.notes[0]!.message) ?? [];
      expect(Number(from)).toBeGreaterThan(Number(to));
      expect(Number(to)).toBeGreaterThan(0);
    }
    // The same text, the same vector: stdin carries the text whole (its final newline dropped).
    const [fromArgument, fromStdin] = [asArgument, viaStdin].map((outcome) => (JSON.parse(outcome.stdout) as JsonResult).output.embeddings[0]!);
    expect(fromStdin).toEqual(fromArgument);
  });

  it('prints the note and a short name for the text in the plain output', async () => {
    const { code, stdout, stderr } = await accel(['run', 'sentence-embeddings', longText, '--model', miniLm, '--backend', backend, '--threads', '1']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^"the quick brown fox jumps over the lazy dog the quick brown …" \(100000 characters\) → \[.*\] \(32 dims, norm 1\.0000\)$/m);
    expect(stdout).toMatch(/^ {2}note \(input 0\): truncated from \d+ to \d+ tokens \(the context length\)$/m);
  });
});

describe('--input-file', () => {
  it('reads one text per file, in order, and names each output line by its file', async () => {
    const first = join(folder, 'first.txt');
    const second = join(folder, 'second.txt');
    await writeFile(first, 'a cat\n');
    await writeFile(second, 'a dog');
    const fromFiles = await run(['run', 'sentence-embeddings', '--input-file', first, '--input-file', second, '--model', miniLm, '--json']);
    const fromArguments = await run(['run', 'sentence-embeddings', 'a cat', 'a dog', '--model', miniLm, '--json']);
    expect(fromFiles.code, fromFiles.stderr).toBe(0);
    expect((JSON.parse(fromFiles.stdout) as JsonResult).output.embeddings).toEqual((JSON.parse(fromArguments.stdout) as JsonResult).output.embeddings);
    const plain = await run(['run', 'sentence-embeddings', '--input-file', first, '--input-file', '-', '--model', miniLm], 'a bird');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} → \\[.*\\] \\(32 dims, norm 1\\.0000\\)$`, 'm'));
    expect(plain.stdout).toMatch(/^\(stdin\) → \[/m);
  });

  it('gives a generative skill its prompt from a file, the same as from the argument', async () => {
    const prompt = join(folder, 'prompt.txt');
    await writeFile(prompt, 'Once upon a time\n');
    const fromFile = await run(['run', 'gpt2', '--input-file', prompt, '--max-new-tokens', '4', '--model', gpt2, '--json']);
    const fromArgument = await run(['run', 'gpt2', 'Once upon a time', '--max-new-tokens', '4', '--model', gpt2, '--json']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect((JSON.parse(fromFile.stdout) as { output: { tokens: number[] } }).output.tokens).toEqual(
      (JSON.parse(fromArgument.stdout) as { output: { tokens: number[] } }).output.tokens,
    );
  });

  it('gives every skill that takes positional texts its texts from files, clip too', async () => {
    const label = join(folder, 'label.txt');
    await writeFile(label, 'a photo of a cat\n');
    const fromFile = await run(['run', 'clip', '--input-file', label, '--model', clip, '--json']);
    const fromArgument = await run(['run', 'clip', 'a photo of a cat', '--model', clip, '--json']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect((JSON.parse(fromFile.stdout) as JsonResult).output.embeddings).toEqual((JSON.parse(fromArgument.stdout) as JsonResult).output.embeddings);
    const plain = await run(['run', 'clip', '--input-file', label, '--model', clip]);
    expect(plain.stdout).toMatch(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} → \\[.*\\] \\(\\d+ dims, norm 1\\.0000\\)$`, 'm'));
  });

  it.each([
    [['run', 'sentence-embeddings', 'a cat', '--input-file', '-'], /^error: ACCEL_INVALID_INPUT: invalid input: give the texts as arguments or with --input-file, not both$/],
    [['run', 'sentence-embeddings', '--input-file', '-', '--input-file', '-'], /^error: ACCEL_INVALID_INPUT: invalid input: --input-file - \(stdin\) can be given once$/],
    [['run', 'sentence-embeddings', '--input-file', '/no/such/file.txt'], /^error: ACCEL_INVALID_INPUT: invalid input: cannot read --input-file \/no\/such\/file\.txt: ENOENT/],
    [['run', 'gpt2', '--input-file', '-', '--input-file', new URL(import.meta.url).pathname], /^error: ACCEL_INVALID_INPUT: invalid input: accel run gpt2 takes one prompt: give --input-file once$/],
    [['run', 'llama', '--input-file', '-', '--input-file', new URL(import.meta.url).pathname], /^error: ACCEL_INVALID_INPUT: invalid input: accel run llama takes one prompt: give --input-file once$/],
    [['run', 't5', '--input-file', '-', '--input-file', new URL(import.meta.url).pathname], /^error: ACCEL_INVALID_INPUT: invalid input: accel run t5 takes one prompt: give --input-file once$/],
  ])('refuses %j with one line', async (argv, message) => {
    const { code, stderr } = await run([...argv, '--model', miniLm], 'text');
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });

  it('says that a directory given as an input file is a directory', async () => {
    await mkdir(join(folder, 'texts'), { recursive: true });
    const { code, stderr } = await run(['run', 'bert', '--input-file', join(folder, 'texts')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: ACCEL_INVALID_INPUT: invalid input: cannot read --input-file ${join(folder, 'texts')}: it is a directory`);
  });
});
