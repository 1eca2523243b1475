import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const execute = promisify(execFile);
const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let folder = '';
let talkFlac = '';
let longWav = '';
let wav2vec2 = '';

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-wav2vec2-'));
  const raw = join(folder, 'talk-raw.wav');
  await execute('espeak-ng', ['-w', raw, 'Speech recognition turns a recording into the words that were spoken in it.']);
  talkFlac = join(folder, 'talk.flac');
  await execute('sox', [raw, '-r', '16000', '-c', '1', talkFlac]);
  longWav = join(folder, 'long.wav');
  await execute('sox', [raw, '-r', '16000', '-c', '1', longWav, 'repeat', '12', 'trim', '0', '45']);
  wav2vec2 = (await forgeModel('Xenova/wav2vec2-base-960h', { root: modelRoot })).directory;
});

afterAll(() => rm(folder, { recursive: true, force: true }));

describe('accel run wav2vec2', () => {
  it('transcribes a flac and prints the text, the provenance and the realtime factor', async () => {
    const { code, stdout, stderr } = await run('run', 'wav2vec2', talkFlac, '--model', wav2vec2, '--threads', '1');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [header, text] = stdout.split('\n');
    expect(header).toMatch(/talk\.flac \(\d+\.\d\d s, 1 chunk\):$/);
    expect(text).toMatch(/^[A-Z' ]+$|^\(no speech\)$/);
    expect(stdout).toMatch(/backend cpu · device cpu · dtype fp32/);
    expect(stdout).toContain('onnx/model.onnx');
    expect(stdout).toMatch(/realtimeFactor \d+\.\d{3}/);
  });

  it('transcribes 45 s in three chunks and prints ordered word times with --timestamps', async () => {
    const { code, stdout } = await run('run', 'wav2vec2', longWav, '--model', wav2vec2, '--timestamps');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/long\.wav \(45\.00 s, 3 chunks\):$/);
    const words = [...stdout.matchAll(/^ {2}\[(\d\d):(\d\d\.\d\d) → (\d\d):(\d\d\.\d\d)\] [A-Z']+$/gm)].map((match) => [
      Number(match[1]) * 60 + Number(match[2]),
      Number(match[3]) * 60 + Number(match[4]),
    ]);
    expect(words.length).toBeGreaterThan(0);
    words.forEach(([start, end], index) => {
      expect(end!).toBeGreaterThan(start!);
      if (index > 0) expect(start!).toBeGreaterThanOrEqual(words[index - 1]![1]!);
    });
    expect(stdout).toMatch(/note \(input 0\): 45\.0 s of audio ran in 3 chunks of 20 s/);
  });

  it('prints JSON with --json, and embeddings with --task embed', async () => {
    const transcribed = await run('run', 'wav2vec2', talkFlac, '--model', wav2vec2, '--json', '--timestamps');
    expect(transcribed.code).toBe(0);
    const parsed = JSON.parse(transcribed.stdout) as {
      output: { task: string; transcriptions: Array<{ text: string; words: Array<{ text: string; start: number; end: number }> }> };
      provenance: { skill: string; backend: string; timings: Record<string, number> };
    };
    expect(parsed.output.task).toBe('transcribe');
    expect(parsed.output.transcriptions[0]!.words.map((word) => word.text).join(' ')).toBe(parsed.output.transcriptions[0]!.text);
    expect(parsed.provenance).toMatchObject({ skill: 'wav2vec2', backend: 'cpu' });
    expect(parsed.provenance.timings.realtimeFactor).toBeGreaterThan(0);
    const embedded = await run('run', 'wav2vec2', talkFlac, '--model', wav2vec2, '--task', 'embed', '--json');
    expect(JSON.parse(embedded.stdout)).toMatchObject({ output: { task: 'embed', dimensions: 32, source: 'last_hidden_state' } });
  });

  it.each([
    [['run', 'wav2vec2', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run wav2vec2 needs an audio file/],
    [['run', 'wav2vec2', 'x.wav', '--task', 'translate', '--model', 'unused'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.task: task must be one of transcribe, embed, got translate$/],
  ])('exits non-zero with one line for %j', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.split('\n')).toHaveLength(1);
  });

  it('refuses a text file named .wav and a zero-byte file with one line naming the file', async () => {
    const notes = join(folder, 'notes.wav');
    const empty = join(folder, 'empty.wav');
    await writeFile(notes, 'this is not audio');
    await writeFile(empty, '');
    for (const [file, reason] of [[notes, 'cannot decode'], [empty, 'is empty']] as const) {
      const { code, stderr } = await run('run', 'wav2vec2', file, '--model', wav2vec2);
      expect(code).toBe(1);
      expect(stderr.split('\n')).toHaveLength(1);
      expect(stderr).toMatch(new RegExp(`^error: ACCEL_INVALID_INPUT: invalid input: .*${file.replaceAll('/', '\\/').replaceAll('.', '\\.')}`));
      expect(stderr).toContain(reason);
    }
  });
});
