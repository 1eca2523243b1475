import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

type Frame = { data: Uint8Array; width: number; height: number; channels: 3 };

/** Frame `time` of video `seed`: a bright block moving across a striped, seed-coloured background. */
export function patternFrame(seed: number, time: number, width = 40, height = 30): Frame {
  const data = new Uint8Array(width * height * 3);
  const blockX = (time * 4 + seed * 7) % width;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      const inBlock = x >= blockX && x < blockX + 10 && y >= 8 && y < 20;
      data[offset] = inBlock ? 250 : (x * (4 + seed) + time * 9) % 256;
      data[offset + 1] = inBlock ? 240 : (y * (6 + seed * 3)) % 256;
      data[offset + 2] = inBlock ? 30 : ((x >> 3) % 2 === 0 ? 200 - seed * 50 : 40 + seed * 40) % 256;
    }
  }
  return { data, width, height, channels: 3 };
}

export function patternFrames(seed: number, count: number): Frame[] {
  return Array.from({ length: count }, (_, time) => patternFrame(seed, time));
}

async function writePng(path: string, frame: Frame): Promise<void> {
  await writeFile(path, await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } }).png().toBuffer());
}

/** Test videos as folders of numbered PNG frames (frame2.png before frame10.png), plus broken ones. */
export async function videoFolders() {
  const root = await mkdtemp(join(tmpdir(), 'skill-xclip-'));
  const folder = async (name: string, seed: number, count: number): Promise<string> => {
    const path = join(root, name);
    await mkdir(path);
    for (let time = 0; time < count; time += 1) await writePng(join(path, `frame${time}.png`), patternFrame(seed, time));
    return path;
  };
  const walk = await folder('walk', 0, 8);
  const run = await folder('run', 1, 8);
  const long = await folder('long', 2, 16);
  const short = await folder('short', 3, 3);
  const corrupt = await folder('corrupt', 4, 8);
  const whole = await sharp(patternFrame(4, 3).data, { raw: { width: 40, height: 30, channels: 3 } }).png().toBuffer();
  await writeFile(join(corrupt, 'frame3.png'), whole.subarray(0, Math.floor(whole.length / 3)));
  const empty = await folder('empty-frame', 5, 8);
  await writeFile(join(empty, 'frame5.png'), new Uint8Array(0));
  const text = await folder('text-frame', 6, 8);
  await writeFile(join(text, 'frame1.png'), 'not a frame\n');
  const noFrames = join(root, 'no-frames');
  await mkdir(noFrames);
  await writeFile(join(noFrames, 'readme.txt'), 'nothing here');
  const notAVideo = join(root, 'clip.mp4');
  await writeFile(notAVideo, 'this is not a video');
  return {
    root,
    walk,
    run,
    long,
    short,
    corrupt,
    corruptFrame: join(corrupt, 'frame3.png'),
    emptyFrameFolder: empty,
    emptyFrame: join(empty, 'frame5.png'),
    textFrameFolder: text,
    textFrame: join(text, 'frame1.png'),
    noFrames,
    notAVideo,
    frameFiles: (folderPath: string, count: number) => Array.from({ length: count }, (_, time) => join(folderPath, `frame${time}.png`)),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
