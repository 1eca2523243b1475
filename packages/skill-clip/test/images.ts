import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** Raw RGB pixels with a pattern that `seed` changes: stripes, gradients and a block. */
export function patternPixels(seed: number, width = 48, height = 36): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      const block = x > width / 3 && x < (2 * width) / 3 && y > height / 4 ? 120 : 0;
      data[offset] = (x * (5 + seed) + block) % 256;
      data[offset + 1] = (y * (3 + 2 * seed) + seed * 60) % 256;
      data[offset + 2] = (((x >> 2) + (y >> 2)) % 2 === 0 ? 230 - seed * 40 : 20 + seed * 30) % 256;
    }
  }
  return { data, width, height, channels: 3 };
}

/** The pattern as a PNG, made with sharp. */
export async function patternPng(seed: number, width = 48, height = 36): Promise<Buffer> {
  const { data } = patternPixels(seed, width, height);
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** A temporary folder with test image files: good PNGs, a corrupt one, an empty one and a text file named .png. */
export async function imageFolder(): Promise<{ folder: string; files: Record<'red' | 'blue' | 'corrupt' | 'empty' | 'text', string>; remove(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'skill-clip-'));
  const files = {
    red: join(folder, 'red.png'),
    blue: join(folder, 'blue.png'),
    corrupt: join(folder, 'corrupt.png'),
    empty: join(folder, 'empty.png'),
    text: join(folder, 'notes.png'),
  };
  const red = await patternPng(0);
  await writeFile(files.red, red);
  await writeFile(files.blue, await patternPng(2));
  await writeFile(files.corrupt, red.subarray(0, Math.floor(red.length / 3)));
  await writeFile(files.empty, new Uint8Array(0));
  await writeFile(files.text, 'these are notes, not an image\n');
  return { folder, files, remove: () => rm(folder, { recursive: true, force: true }) };
}
