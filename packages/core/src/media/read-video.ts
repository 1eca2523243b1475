import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { ImageInput, RgbImage, VideoInput } from './media-source.js';
import { readImage } from './read-image.js';

/**
 * Runs ffmpeg/ffprobe. node:child_process is imported on the first video file, not with the
 * module: `@accel/core/media` is in every image and audio skill's import graph (worker threads
 * included), and only a video file ever needs a child process.
 */
async function run(file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const [{ execFile }, { promisify }] = await Promise.all([import('node:child_process'), import('node:util')]);
  return promisify(execFile)(file, args);
}

const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.gif', '.tif', '.tiff', '.avif']);

/** `count` indices spread evenly over `total` items: the middle of each of `count` equal segments. */
export function evenlySpacedIndices(total: number, count: number): number[] {
  if (total <= 0) return [];
  return Array.from({ length: count }, (_, index) => Math.min(total - 1, Math.floor(((index + 0.5) * total) / count)));
}

async function framesInFolder(folder: string): Promise<string[]> {
  const names = (await readdir(folder)).filter((name) => imageExtensions.has(extname(name).toLowerCase()));
  names.sort((left, right) => left.localeCompare(right, undefined, { numeric: true }));
  return names.map((name) => join(folder, name));
}

async function hasFfmpeg(): Promise<boolean> {
  try {
    await run('ffmpeg', ['-version']);
    await run('ffprobe', ['-version']);
    return true;
  } catch {
    return false;
  }
}

async function framesFromVideoFile(file: string, count: number): Promise<RgbImage[]> {
  if (!(await hasFfmpeg())) {
    throw new InvalidInputError({ reason: `reading the video file ${file} needs ffmpeg and ffprobe on PATH (apt-get install ffmpeg), or pass its frames as images or a folder` });
  }
  let duration: number;
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', file]);
    duration = Number(stdout.trim());
  } catch (error) {
    throw new InvalidInputError({ reason: `cannot read ${file} as a video: ${String((error as { stderr?: string }).stderr ?? error).trim()}`, cause: error });
  }
  if (!(duration > 0)) throw new InvalidInputError({ reason: `${file} has no measurable duration` });
  const folder = await mkdtemp(join(tmpdir(), 'accel-frames-'));
  try {
    const frames: RgbImage[] = [];
    for (let index = 0; index < count; index += 1) {
      const target = join(folder, `${index}.png`);
      const time = ((index + 0.5) * duration) / count;
      await run('ffmpeg', ['-v', 'error', '-ss', time.toFixed(3), '-i', file, '-frames:v', '1', '-y', target]);
      frames.push(await readImage(target));
    }
    return frames;
  } catch (error) {
    if (InvalidInputError.isInstance(error)) throw error;
    throw new InvalidInputError({ reason: `cannot extract frames from ${file}: ${String((error as { stderr?: string }).stderr ?? error).trim()}`, cause: error });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Reads `frameCount` frames sampled evenly from a video: an ordered list of frames (paths, bytes
 * or raw pixels), a folder of frame images (natural sort order), or a video file through ffmpeg.
 * Fewer frames than asked are repeated evenly.
 */
export async function readVideoFrames(input: VideoInput, { frameCount }: { frameCount: number }): Promise<RgbImage[]> {
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new InvalidInputError({ reason: `frameCount must be a positive integer, got ${frameCount}` });
  let frames: readonly ImageInput[];
  if (typeof input === 'string') {
    let isFolder: boolean;
    try {
      isFolder = (await stat(input)).isDirectory();
    } catch {
      throw new InvalidInputError({ reason: `${input} does not exist` });
    }
    if (!isFolder) return framesFromVideoFile(input, frameCount);
    frames = await framesInFolder(input);
    if (frames.length === 0) throw new InvalidInputError({ reason: `the folder ${input} holds no frame images (${[...imageExtensions].join(', ')})` });
  } else if (Array.isArray(input)) {
    frames = input;
    if (frames.length === 0) throw new InvalidInputError({ reason: 'the frame list is empty' });
  } else {
    throw new InvalidInputError({ reason: 'expected a list of frames, a folder of frames or a video file' });
  }
  return Promise.all(evenlySpacedIndices(frames.length, frameCount).map((index) => readImage(frames[index]!)));
}
