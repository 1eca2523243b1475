import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/index.js';
import { evenlySpacedIndices, readAudio, readImage, readVideoFrames, resample } from '../src/media/index.js';

const hasCommand = (command: string) => {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasSox = hasCommand('sox');
// CI installs sox (see .ci/run); a developer machine without it skips these, saying so.
const needsSox = !hasSox && !process.env.CI ? 'sox is not installed (apt-get install sox)' : undefined;

let folder: string;
const tone = (rate: number, seconds: number) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, index) => 0.5 * Math.sin((2 * Math.PI * 440 * index) / rate) + 0.3 * Math.sin((2 * Math.PI * 3000 * index) / rate));

function wavBytes(samples: Float32Array, rate: number, channels = 1): Uint8Array {
  const frames = samples.length / channels;
  const buffer = Buffer.alloc(44 + frames * channels * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + frames * channels * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(channels, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate * channels * 2, 28);
  buffer.writeUInt16LE(channels * 2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(frames * channels * 2, 40);
  samples.forEach((value, index) => buffer.writeInt16LE(Math.round(Math.max(-1, Math.min(1, value)) * 32767), 44 + index * 2));
  return buffer;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'accel-media-'));
});

describe('resample', () => {
  it.skipIf(needsSox !== undefined)(`matches sox's high-quality rate conversion 44.1 kHz → 16 kHz${needsSox ? ` (skipped: ${needsSox})` : ''}`, async () => {
    const input = tone(44_100, 1);
    await writeFile(join(folder, 'tone.f32'), Buffer.from(input.buffer));
    execFileSync('sox', ['-t', 'raw', '-r', '44100', '-e', 'floating-point', '-b', '32', '-c', '1', join(folder, 'tone.f32'), '-t', 'raw', '-e', 'floating-point', '-b', '32', join(folder, 'sox.f32'), 'rate', '-v', '16000']);
    const bytes = await readFile(join(folder, 'sox.f32'));
    const expected = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const actual = resample(input, 44_100, 16_000);
    expect(actual.length).toBe(expected.length);
    let largest = 0;
    for (let index = 200; index < actual.length - 200; index += 1) largest = Math.max(largest, Math.abs(actual[index]! - expected[index]!));
    expect(largest).toBeLessThan(2e-3);
  });

  it('keeps a tone in the passband and removes one above the new Nyquist frequency', () => {
    const rate = 48_000;
    const high = Float32Array.from({ length: rate }, (_, index) => Math.sin((2 * Math.PI * 12_000 * index) / rate));
    const low = Float32Array.from({ length: rate }, (_, index) => Math.sin((2 * Math.PI * 1_000 * index) / rate));
    const rms = (values: Float32Array) => Math.sqrt(values.slice(500, -500).reduce((sum, value) => sum + value * value, 0) / (values.length - 1000));
    expect(rms(resample(low, rate, 16_000))).toBeCloseTo(Math.SQRT1_2, 2);
    expect(rms(resample(high, rate, 16_000))).toBeLessThan(1e-3);
    expect(resample(low, rate, rate)).toEqual(low);
  });
});

describe('readAudio', () => {
  it('decodes a stereo wav, downmixes it and resamples it to the rate asked for', async () => {
    const mono = tone(22_050, 0.5);
    const stereo = new Float32Array(mono.length * 2);
    mono.forEach((value, index) => {
      stereo[index * 2] = value;
      stereo[index * 2 + 1] = value;
    });
    await writeFile(join(folder, 'stereo.wav'), wavBytes(stereo, 22_050, 2));
    const audio = await readAudio(join(folder, 'stereo.wav'), { sampleRate: 16_000 });
    expect(audio.sampleRate).toBe(16_000);
    expect(audio.samples.length).toBe(8_000);
    expect(audio.duration).toBeCloseTo(0.5, 3);
    const reference = resample(mono, 22_050, 16_000);
    for (let index = 100; index < 7_900; index += 97) expect(audio.samples[index]).toBeCloseTo(reference[index]!, 3);
  });

  it('accepts samples with their rate', async () => {
    const audio = await readAudio({ samples: tone(16_000, 0.25), sampleRate: 16_000 }, { sampleRate: 48_000 });
    expect(audio.samples.length).toBe(12_000);
  });

  it.each([
    ['a zero-byte file', async () => writeFile(join(folder, 'empty.wav'), ''), 'empty.wav', /is empty/],
    ['a text file renamed .wav', async () => writeFile(join(folder, 'text.wav'), 'this is not audio at all, just words'), 'text.wav', /cannot decode/],
    ['a truncated wav', async () => writeFile(join(folder, 'cut.wav'), wavBytes(tone(16_000, 0.1), 16_000).slice(0, 30)), 'cut.wav', /cannot decode|no audio/],
    ['a missing file', async () => undefined, 'missing.wav', /cannot read .*missing\.wav: ENOENT/],
  ])('refuses %s with one InvalidInputError naming it', async (_name, setup, file, reason) => {
    await setup();
    const error = await readAudio(join(folder, file), { sampleRate: 16_000 }).catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message.split('\n')).toHaveLength(1);
  });
});

describe('readImage', () => {
  it('decodes a PNG file and bytes to RGB, dropping alpha', async () => {
    const png = await sharp({ create: { width: 4, height: 3, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    await writeFile(join(folder, 'red.png'), png);
    for (const input of [join(folder, 'red.png'), new Uint8Array(png)]) {
      const image = await readImage(input);
      expect(image).toMatchObject({ width: 4, height: 3, channels: 3 });
      expect(Array.from(image.data.slice(0, 3))).toEqual([255, 0, 0]);
    }
  });

  it('converts raw grey and RGBA pixels', async () => {
    const grey = await readImage({ data: Uint8Array.from([10, 20]), width: 2, height: 1, channels: 1 });
    expect(Array.from(grey.data)).toEqual([10, 10, 10, 20, 20, 20]);
    const rgba = await readImage({ data: Uint8Array.from([1, 2, 3, 4]), width: 1, height: 1, channels: 4 });
    expect(Array.from(rgba.data)).toEqual([1, 2, 3]);
    await expect(readImage({ data: new Uint8Array(5), width: 2, height: 1, channels: 3 })).rejects.toThrow(/expected 2×1×3/);
  });

  it('refuses empty, corrupt and missing images with InvalidInputError', async () => {
    await writeFile(join(folder, 'broken.png'), 'not a png');
    for (const input of [new Uint8Array(0), join(folder, 'broken.png'), join(folder, 'nope.png')]) {
      const error = await readImage(input).catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error), String(error)).toBe(true);
    }
  });

  it('says that a directory given as an image is a directory', async () => {
    await mkdir(join(folder, 'pictures'), { recursive: true });
    const error = await readImage(join(folder, 'pictures')).catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toBe(`invalid input: ${join(folder, 'pictures')} is a directory, not an image file`);
  });
});

describe('readVideoFrames', () => {
  it('samples evenly spaced frames from a folder, in natural order', async () => {
    const frames = join(folder, 'frames');
    await mkdir(frames);
    for (let index = 0; index < 10; index += 1) {
      await sharp({ create: { width: 2, height: 2, channels: 3, background: { r: index * 20, g: 0, b: 0 } } })
        .png()
        .toFile(join(frames, `frame-${index + 1}.png`));
    }
    const sampled = await readVideoFrames(frames, { frameCount: 4 });
    expect(sampled.map((frame) => frame.data[0])).toEqual(evenlySpacedIndices(10, 4).map((index) => index * 20));
    expect(evenlySpacedIndices(10, 4)).toEqual([1, 3, 6, 8]);
    expect(evenlySpacedIndices(2, 4)).toEqual([0, 0, 1, 1]);
  });

  it('takes a list of frames and refuses an empty one', async () => {
    const frame = { data: new Uint8Array(3), width: 1, height: 1, channels: 3 as const };
    expect(await readVideoFrames([frame, frame], { frameCount: 8 })).toHaveLength(8);
    await expect(readVideoFrames([], { frameCount: 8 })).rejects.toThrow(/frame list is empty/);
  });

  it('asks for ffmpeg when given a video file and ffmpeg is not on PATH', async () => {
    await writeFile(join(folder, 'clip.mp4'), 'x');
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(readVideoFrames(join(folder, 'clip.mp4'), { frameCount: 8 })).rejects.toThrow(/needs ffmpeg/);
    } finally {
      process.env.PATH = path;
    }
  });
});
