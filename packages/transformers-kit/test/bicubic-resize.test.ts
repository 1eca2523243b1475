import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type BicubicKernels, createBicubicResizer, type ResizeCrop } from '../src/transformers/bicubic-resize.js';

function noise(length: number, seed: number): Uint8Array {
  let state = seed >>> 0 || 1;
  return Uint8Array.from({ length }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 24;
  });
}

/** What transformers.js's Node `RawImage.resize` does for bicubic: one sharp affine call; then the crop, cut out here. */
async function sharpResize(source: Uint8Array, sourceWidth: number, sourceHeight: number, width: number, height: number, crop: ResizeCrop): Promise<Buffer> {
  const { data, info } = await sharp(source, { raw: { width: sourceWidth, height: sourceHeight, channels: 3 } })
    .affine([width / sourceWidth, 0, 0, height / sourceHeight], { interpolator: 'bicubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
  const rows = Array.from({ length: crop.height }, (_, y) => data.subarray(((crop.top + y) * width + crop.left) * 3, ((crop.top + y) * width + crop.left + crop.width) * 3));
  return Buffer.concat(rows);
}

/** The resizer's crop, fed the source's rows `step` at a time (the whole image at once when step is its height). */
function jsResize(source: Uint8Array, sourceWidth: number, sourceHeight: number, width: number, height: number, crop: ResizeCrop, step: number, kernels: BicubicKernels): Buffer {
  const output = Buffer.alloc(crop.width * crop.height * 3);
  const rowsSeen: number[] = [];
  const resizer = createBicubicResizer(sourceWidth, sourceHeight, width, height, crop, (y, row) => {
    rowsSeen.push(y);
    output.set(row, y * crop.width * 3);
  }, kernels);
  // Rows not yet "decoded" hold garbage: the resizer must not read them.
  const partial = new Uint8Array(source.length).fill(0xa5);
  let done = false;
  for (let rows = Math.min(step, sourceHeight); !done; rows = Math.min(rows + step, sourceHeight)) {
    partial.set(source.subarray(0, rows * sourceWidth * 3));
    done = resizer.advance(partial, rows);
    if (rows === sourceHeight) expect(done).toBe(true);
  }
  expect(rowsSeen).toEqual(Array.from({ length: crop.height }, (_, y) => y));
  return output;
}

describe.each(['webassembly', 'javascript'] as const)('createBicubicResizer, %s kernels', (kernels) => {
  it("equals sharp's bicubic affine byte for byte, for random sizes (down and up) and crops, fed row by row or whole", async () => {
    let seed = 11;
    const next = (limit: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % limit;
    };
    for (let trial = 0; trial < 60; trial += 1) {
      const [sourceWidth, sourceHeight] = [1 + next(700), 1 + next(500)];
      const [width, height] = [1 + next(Math.ceil(sourceWidth * 1.6)), 1 + next(Math.ceil(sourceHeight * 1.6))];
      const cropWidth = 1 + next(width);
      const cropHeight = 1 + next(height);
      const crop = { left: next(width - cropWidth + 1), top: next(height - cropHeight + 1), width: cropWidth, height: cropHeight };
      const source = noise(sourceWidth * sourceHeight * 3, trial + 1);
      const expected = await sharpResize(source, sourceWidth, sourceHeight, width, height, crop);
      const label = `${sourceWidth}×${sourceHeight} → ${width}×${height}, crop ${JSON.stringify(crop)}`;
      expect(Buffer.compare(jsResize(source, sourceWidth, sourceHeight, width, height, crop, sourceHeight, kernels), expected), label).toBe(0);
      expect(Buffer.compare(jsResize(source, sourceWidth, sourceHeight, width, height, crop, 1 + next(40), kernels), expected), `${label}, in pieces`).toBe(0);
    }
  });

  it("equals sharp's for CLIP's resize of a 640 × 480 photo and for a large, very wide image", async () => {
    for (const [sourceWidth, sourceHeight, width, height, crop] of [
      [640, 480, 298, 224, { left: 37, top: 0, width: 224, height: 224 }],
      [4032, 3024, 298, 224, { left: 0, top: 0, width: 298, height: 224 }],
      [6000, 40, 4000, 30, { left: 1000, top: 5, width: 2000, height: 20 }],
    ] as const) {
      const source = noise(sourceWidth * sourceHeight * 3, sourceWidth);
      const expected = await sharpResize(source, sourceWidth, sourceHeight, width, height, crop);
      expect(Buffer.compare(jsResize(source, sourceWidth, sourceHeight, width, height, crop, 64, kernels), expected)).toBe(0);
    }
  });
});

describe('createBicubicResizer', () => {
  it('gives the same bytes with either kernels when resizes overlap and instances are reused', () => {
    const sizes = [
      [640, 480, 298, 224, { left: 37, top: 0, width: 224, height: 224 }],
      [33, 17, 70, 9, { left: 3, top: 1, width: 60, height: 7 }],
      [1200, 90, 300, 40, { left: 0, top: 0, width: 300, height: 40 }],
    ] as const;
    const sources = sizes.map(([sourceWidth, sourceHeight], index) => noise(sourceWidth * sourceHeight * 3, 100 + index));
    const expected = sizes.map(([sourceWidth, sourceHeight, width, height, crop], index) => jsResize(sources[index]!, sourceWidth, sourceHeight, width, height, crop, 7, 'javascript'));
    // Three resizes advanced in turns (as a batch of images decodes), twice: the second round reuses the first's instances.
    for (let round = 0; round < 2; round += 1) {
      const outputs = sizes.map(([, , , , crop]) => Buffer.alloc(crop.width * crop.height * 3));
      const resizers = sizes.map(([sourceWidth, sourceHeight, width, height, crop], index) =>
        createBicubicResizer(sourceWidth, sourceHeight, width, height, crop, (y, row) => outputs[index]!.set(row, y * crop.width * 3), 'webassembly'),
      );
      for (let rows = 1; rows <= 480; rows += 1) {
        resizers.forEach((resizer, index) => {
          const sourceHeight = sizes[index]![1];
          if (rows <= sourceHeight) resizer.advance(sources[index]!, rows);
        });
      }
      outputs.forEach((output, index) => expect(Buffer.compare(output, expected[index]!), `round ${round}, size ${index}`).toBe(0));
    }
  });
});
