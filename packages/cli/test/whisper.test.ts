import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const execute = promisify(execFile);
const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let folder = '';
let talkMp3 = '';
let longWav = '';
let whisperTiny = '';

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

interface JsonResult {
  output: { transcripts: Array<{ text: string; duration: number; windows: number; language?: string; task?: string; chunks?: Array<{ text: string; start: number; end: number }> }> };
  provenance: { skill: string; backend: string; model: { files: string[] }; timings: Record<string, number> };
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-whisper-'));
  const speak = async (name: string, text: string) => {
    await execute('espeak-ng', ['-w', join(folder, `${name}-raw.wav`), text]);
    await execute('sox', [join(folder, `${name}-raw.wav`), '-r', '16000', '-c', '1', join(folder, `${name}.wav`)]);
    return join(folder, `${name}.wav`);
  };
  const talk = await speak('talk', 'Good morning. This is a short talk about running speech models on any hardware.');
  talkMp3 = join(folder, 'talk.mp3');
  await execute('sox', [talk, talkMp3]);
  const paragraph = await speak('paragraph', 'A longer recording is cut into overlapping windows of thirty seconds, and the transcripts of the windows are stitched together.');
  longWav = join(folder, 'long.wav');
  await execute('sox', [paragraph, longWav, 'repeat', '12', 'trim', '0', '70']);
  whisperTiny = (await forgeModel('Xenova/whisper-tiny', { root: modelRoot })).directory;
});

afterAll(() => rm(folder, { recursive: true, force: true }));

describe('accel run whisper', () => {
  it('transcribes an mp3 and prints the text and provenance with the backend and the realtime factor', async () => {
    const { code, stdout, stderr } = await run('run', 'whisper', talkMp3, '--model', whisperTiny, '--max-new-tokens', '8', '--threads', '1');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [header, text] = stdout.split('\n');
    expect(header).toMatch(/talk\.mp3 \(\d+\.\d\d s, 1 window, en, transcribe\):$/);
    expect(text!.length).toBeGreaterThan(0);
    expect(stdout).toMatch(/backend cpu · device cpu · dtype fp32/);
    expect(stdout).toContain('onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx');
    expect(stdout).toMatch(/realtimeFactor \d+\.\d{3}/);
  });

  it('transcribes a 70-second wav in three windows and prints its segments with times', async () => {
    const { code, stdout } = await run('run', 'whisper', longWav, '--model', whisperTiny, '--max-new-tokens', '16', '--timestamps', '--language', 'french', '--task', 'translate');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/long\.wav \(70\.00 s, 3 windows, fr, translate\):$/);
    const segments = [...stdout.matchAll(/^ {2}\[(\d\d):(\d\d\.\d\d) → (\d\d):(\d\d\.\d\d)\] .+$/gm)].map((match) => [
      Number(match[1]) * 60 + Number(match[2]),
      Number(match[3]) * 60 + Number(match[4]),
    ]);
    expect(segments.length).toBeGreaterThan(0);
    segments.forEach(([start, end], index) => {
      expect(end!).toBeGreaterThanOrEqual(start!);
      if (index > 0) expect(start!).toBeGreaterThanOrEqual(segments[index - 1]![1]!);
    });
    expect(segments.at(-1)![1]).toBeGreaterThan(40);
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await run('run', 'whisper', talkMp3, '--model', whisperTiny, '--max-new-tokens', '8', '--timestamps', '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as JsonResult;
    const [transcript] = parsed.output.transcripts;
    expect(transcript).toMatchObject({ windows: 1, language: 'en', task: 'transcribe' });
    expect(transcript!.chunks!.length).toBeGreaterThan(0);
    expect(parsed.provenance).toMatchObject({ skill: 'whisper', backend: 'cpu' });
    expect(parsed.provenance.timings.realtimeFactor).toBeGreaterThan(0);
  });

  it.each([
    [['--language', 'klingon'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.language: unknown language "klingon"/],
    [['--task', 'summarize'], /^error: ACCEL_INVALID_INPUT: invalid input: options\.task: task must be transcribe or translate, got "summarize"$/],
    [['--stop', '.'], /^error: ACCEL_INVALID_INPUT: invalid input: accel run whisper takes no option --stop \(its options: accel run whisper --help\)$/],
  ])('refuses %j with one line', async (extra, message) => {
    const { code, stderr } = await run('run', 'whisper', talkMp3, '--model', whisperTiny, ...extra);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('names a file it cannot read in one line', async () => {
    const { code, stderr } = await run('run', 'whisper', join(folder, 'talk.txt'), '--model', whisperTiny);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: ACCEL_INVALID_INPUT: invalid input: cannot read .*talk\.txt: ENOENT$/);
    expect((await run('run', 'whisper', '--model', whisperTiny)).stderr).toMatch(/needs an audio file/);
  });
});
