import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImage, readImageResized, type ImageResizeTarget, type RgbImage } from '../src/media/index.js';

/** Same size and bytes (Buffer.compare: vitest's deep equality walks typed arrays element by element). */
function expectSameImage(actual: RgbImage, expected: RgbImage): void {
  expect([actual.width, actual.height, actual.channels]).toEqual([expected.width, expected.height, expected.channels]);
  expect(Buffer.compare(Buffer.from(actual.data), Buffer.from(expected.data))).toBe(0);
}

function pattern(width: number, height: number): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, (_, index) => (index * 7919 + (index >> 5)) & 0xff);
}

/** readImage followed by the resize transformers.js's Node RawImage.resize makes: one sharp affine call on the decoded pixels. */
async function decodeThenResize(input: Uint8Array, target: ImageResizeTarget): Promise<RgbImage> {
  const decoded = await readImage(input);
  const { data, info } = await sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: 3 } })
    .affine([target.width / decoded.width, 0, 0, target.height / decoded.height], { interpolator: target.interpolator })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

describe('readImageResized', () => {
  const raw = { raw: { width: 333, height: 257, channels: 3 as const } };
  const source = pattern(333, 257);
  const cases: Record<string, () => Promise<Buffer>> = {
    PNG: () => sharp(source, raw).png().toBuffer(),
    JPEG: () => sharp(source, raw).jpeg().toBuffer(),
    'JPEG with EXIF orientation 6 (decoded 257 × 333)': () => sharp(source, raw).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
  };
  for (const [name, encode] of Object.entries(cases)) {
    it(`equals readImage + sharp affine byte for byte, decoding once: ${name}`, async () => {
      const bytes = new Uint8Array(await encode());
      for (const interpolator of ['bicubic', 'bilinear', 'nearest'] as const) {
        const asked: Array<[number, number]> = [];
        const { image, resized } = await readImageResized(bytes, (width, height) => {
          asked.push([width, height]);
          return { width: Math.floor(width * 0.67), height: Math.floor(height * 0.61), interpolator };
        });
        const plain = await readImage(bytes);
        expect(asked).toEqual([[plain.width, plain.height]]);
        expect(resized).toBe(true);
        const expected = await decodeThenResize(bytes, { width: Math.floor(plain.width * 0.67), height: Math.floor(plain.height * 0.61), interpolator });
        expectSameImage(image, expected);
      }
    });
  }

  it('leaves the resize to the caller for images with alpha and for raw pixels, and keeps the size when asked to', async () => {
    const rgba = new Uint8Array(await sharp(source, raw).ensureAlpha(0.5).png().toBuffer());
    const halve = (width: number, height: number): ImageResizeTarget => ({ width: width >> 1, height: height >> 1, interpolator: 'bilinear' });
    const alpha = await readImageResized(rgba, halve);
    expect(alpha.resized).toBe(false);
    expectSameImage(alpha.image, await readImage(rgba));

    const pixels = { data: source, width: 333, height: 257, channels: 3 as const };
    const fromPixels = await readImageResized(pixels, halve);
    expect(fromPixels.resized).toBe(false);
    expect(fromPixels.image.data).toBe(source);

    const png = new Uint8Array(await sharp(source, raw).png().toBuffer());
    const kept = await readImageResized(png, () => undefined);
    expect(kept.resized).toBe(false);
    expectSameImage(kept.image, await readImage(png));
  });

  it("fails as readImage does, with typed errors naming the input", async () => {
    await expect(readImageResized(new Uint8Array(0), () => undefined)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT', message: expect.stringMatching(/empty/) });
    await expect(readImageResized(new Uint8Array([1, 2, 3]), () => undefined)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT', message: expect.stringMatching(/cannot decode/) });
    await expect(readImageResized(process.cwd(), () => undefined)).rejects.toThrow(/is a directory/);
    await expect(readImageResized('/nonexistent/image.png', () => undefined)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT' });
  });
});
