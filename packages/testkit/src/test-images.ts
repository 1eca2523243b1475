/** A PNG of a two-colour split image, made with sharp (imported on first use). */
export async function splitImagePng(width: number, height: number, left: [number, number, number], right: [number, number, number]): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) data.set(x < width / 2 ? left : right, (y * width + x) * 3);
  }
  return new Uint8Array(await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

/** Raw RGB pixels of a diagonal gradient. */
export function gradientPixels(width: number, height: number, seed: number) {
  const data = Uint8Array.from({ length: width * height * 3 }, (_, index) => (index * seed + Math.floor(index / (width * 3)) * 11) % 256);
  return { data, width, height, channels: 3 as const };
}

/** Bytes that are no image at all. */
export const corruptImage = new TextEncoder().encode('this is not a png file, just text pretending to be one');
