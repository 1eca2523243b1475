import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let folder = '';
let clip = '';
let clap = '';

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** A 16-bit mono WAV of a buzzing, syllable-like tone. */
function voicedWav(seconds: number, rate: number): Buffer {
  const count = Math.round(seconds * rate);
  const buffer = Buffer.alloc(44 + count * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + count * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(count * 2, 40);
  for (let index = 0; index < count; index += 1) {
    const time = index / rate;
    const value = (0.55 + 0.45 * Math.sin(2 * Math.PI * 3.3 * time)) * (0.3 * Math.sin(2 * Math.PI * 150 * time) + 0.1 * Math.sin(2 * Math.PI * 900 * time));
    buffer.writeInt16LE(Math.round(value * 32_767), 44 + index * 2);
  }
  return buffer;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-clap-'));
  clip = join(folder, 'x.wav');
  await writeFile(clip, voicedWav(0.8, 16_000));
  clap = (await forgeModel('Xenova/clap-htsat-unfused', { root: modelRoot })).directory;
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('accel run clap', () => {
  it('classifies --audio with --labels: every label with a score, most likely first, and the provenance', async () => {
    const { code, stdout, stderr } = await run('run', 'clap', '--audio', clip, '--labels', 'speech, music', '--model', clap, '--threads', '1');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(clip);
    const scores = lines.slice(1, 3).map((line) => line.match(/^ {2}(speech|music)\s+(\d\.\d{4})$/));
    expect(scores.every((match) => match !== null)).toBe(true);
    expect(scores.map((match) => match![1]).sort()).toEqual(['music', 'speech']);
    expect(Number(scores[0]![2])).toBeGreaterThanOrEqual(Number(scores[1]![2]));
    expect(Number(scores[0]![2]) + Number(scores[1]![2])).toBeCloseTo(1, 3);
    expect(stdout).toMatch(/backend cpu · device cpu · dtype fp32/);
    expect(stdout).toContain('onnx/model.onnx');
  });

  it('takes --template and prints JSON with --json', async () => {
    const plain = JSON.parse((await run('run', 'clap', '--audio', clip, '--labels', 'speech,music', '--model', clap, '--json')).stdout) as {
      output: { task: string; classifications: Array<{ label: string; scores: Array<{ label: string; score: number }> }> };
      provenance: { skill: string; backend: string };
    };
    expect(plain.output.task).toBe('classify');
    expect(plain.output.classifications[0]!.scores.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 6);
    expect(plain.provenance).toMatchObject({ skill: 'clap', backend: 'cpu' });
    const templated = JSON.parse((await run('run', 'clap', '--audio', clip, '--labels', 'speech,music', '--template', 'a recording of {}', '--model', clap, '--json')).stdout) as typeof plain;
    expect(templated.output.classifications[0]!.scores).not.toEqual(plain.output.classifications[0]!.scores);
  });

  it('embeds audio alone, texts alone, and prints audio–text similarity', async () => {
    const audio = await run('run', 'clap', '--audio', clip, '--model', clap);
    expect(audio.stdout.split('\n')[0]).toMatch(/x\.wav → \[.*\] \(16 dims, norm 1\.0000\)$/);
    const texts = await run('run', 'clap', 'a dog barking', 'rain', '--model', clap);
    expect(texts.stdout).toMatch(/^"a dog barking" → \[.*\] \(16 dims, norm 1\.0000\)\n"rain" → /);
    const similarity = await run('run', 'clap', '--audio', clip, 'a dog barking', 'rain', '--model', clap);
    expect(similarity.stdout.split('\n')[0]).toMatch(/x\.wav: "a dog barking" -?\d\.\d{4}, "rain" -?\d\.\d{4}$/);
  });

  it.each([
    [['run', 'clap', '--labels', 'a,b', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run clap --labels needs --audio <file>$/],
    [['run', 'clap', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run clap needs --audio <file> and\/or texts/],
    [['run', 'clap', '--audio', 'x.wav', '--template', '{}', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: template applies to zero-shot classification only: give labels too$/],
  ])('exits non-zero with one line for %j', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.split('\n')).toHaveLength(1);
  });

  it('refuses a text file named .wav with one line naming the file', async () => {
    const notes = join(folder, 'notes.wav');
    await writeFile(notes, 'this is not audio');
    const { code, stderr } = await run('run', 'clap', '--audio', notes, '--labels', 'speech,music', '--model', clap);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toContain(`cannot decode ${notes} as audio`);
  });
});
