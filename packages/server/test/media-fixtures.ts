import sharp from 'sharp';

/** An RGB test pattern (stripes, a gradient and a block) that `seed` changes, as a PNG made with sharp. */
export async function patternPng(seed: number, width = 64, height = 48): Promise<Buffer> {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      const block = x > width / 3 && x < (2 * width) / 3 && y > height / 4 ? 120 : 0;
      data[offset] = (x * (5 + seed) + block) % 256;
      data[offset + 1] = (y * (3 + 2 * seed) + seed * 60 + ((x * y) % 7) * 9) % 256;
      data[offset + 2] = (((x >> 2) + (y >> 2)) % 2 === 0 ? 230 - seed * 40 : 20 + seed * 30) % 256;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Bytes as a `data:<mediaType>;base64,…` URI, as a client sends media inline. */
export function dataUri(bytes: Uint8Array, mediaType = 'image/png'): string {
  return `data:${mediaType};base64,${Buffer.from(bytes).toString('base64')}`;
}
