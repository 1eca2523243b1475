import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, readImageRows, type ImageInput, type RgbImage } from '../src/media/index.js';
import { pngCodec } from '../src/media/media-io.js';
import { decodePngRows, type PngCodec } from '../src/media/png-rows.js';

/** Node's codec without the whole-image decoder: the row decoder inflates progressively. */
const progressiveCodec: PngCodec = { ...pngCodec!, decode: undefined };

/** decodePngRows with the given codec, recording what it reported. */
async function decodeRecording(bytes: Uint8Array, codec: PngCodec): Promise<{ image: RgbImage | undefined; reports: number[] }> {
  const reports: number[] = [];
  const image = await decodePngRows(bytes, codec, (_, count) => {
    reports.push(count);
  });
  return { image, reports };
}

/** Same size and bytes (Buffer.compare: vitest's deep equality walks typed arrays element by element). */
function expectSameImage(actual: RgbImage, expected: RgbImage): void {
  expect([actual.width, actual.height, actual.channels]).toEqual([expected.width, expected.height, expected.channels]);
  expect(Buffer.compare(Buffer.from(actual.data), Buffer.from(expected.data))).toBe(0);
}

function noise(length: number, seed: number): Uint8Array {
  let state = seed >>> 0 || 1;
  return Uint8Array.from({ length }, (_, index) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    // Half smooth (so every filter type has something to predict), half noise.
    return index % 7 < 3 ? (index >> 4) & 0xff : state >>> 24;
  });
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const framed = Buffer.alloc(body.length + 8);
  framed.writeUInt32BE(data.length, 0);
  body.copy(framed, 4);
  framed.writeUInt32BE(crc32(body) >>> 0, body.length + 4);
  return framed;
}

/** The PNG specification's filters, applied to one scanline. */
function filterLine(type: number, line: Uint8Array, previous: Uint8Array, pixelBytes: number): Uint8Array {
  const out = new Uint8Array(line.length);
  for (let index = 0; index < line.length; index += 1) {
    const left = index >= pixelBytes ? line[index - pixelBytes]! : 0;
    const up = previous[index]!;
    const upLeft = index >= pixelBytes ? previous[index - pixelBytes]! : 0;
    const estimate = left + up - upLeft;
    const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
    const paeth = toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
    const prediction = [0, left, up, (left + up) >> 1, paeth][type]!;
    out[index] = line[index]! - prediction;
  }
  return out;
}

/**
 * An 8-bit RGB or RGBA PNG whose rows use the given filter types in turn, its zlib data split
 * into IDAT chunks of `idatBytes`, with extra chunks before the data.
 */
function encodePng(pixels: Uint8Array, width: number, height: number, channels: 3 | 4, options: { filters?: number[]; idatBytes?: number; extra?: Buffer[]; interlace?: number } = {}): Buffer {
  const { filters = [0, 1, 2, 3, 4], idatBytes = 1 << 30, extra = [] } = options;
  const lineBytes = width * channels;
  const rows: Uint8Array[] = [];
  let previous: Uint8Array = new Uint8Array(lineBytes);
  for (let row = 0; row < height; row += 1) {
    const line = pixels.subarray(row * lineBytes, (row + 1) * lineBytes);
    const type = filters[row % filters.length]!;
    rows.push(Uint8Array.of(type), filterLine(type, line, previous, channels));
    previous = line;
  }
  const compressed = deflateSync(Buffer.concat(rows));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, channels === 3 ? 2 : 6, 0, 0, options.interlace ?? 0], 8);
  const idats: Buffer[] = [];
  for (let offset = 0; offset < compressed.length; offset += idatBytes) idats.push(chunk('IDAT', compressed.subarray(offset, offset + idatBytes)));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), ...extra, ...idats, chunk('IEND', new Uint8Array(0))]);
}

/** readImageRows, recording what it reported. */
async function readRecording(input: ImageInput): Promise<{ image: RgbImage; reports: number[] }> {
  const reports: number[] = [];
  let seen: RgbImage | undefined;
  const image = await readImageRows(input, (rows, count) => {
    // Rows already reported are final: they equal the returned image's.
    reports.push(count);
    seen = rows;
  });
  expect(seen?.data).toBe(image.data);
  return { image, reports };
}

describe('readImageRows', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'accel-image-rows-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const textChunk = chunk('tEXt', Buffer.from('Comment\0made by a test', 'latin1'));
  const gamma = chunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f]));
  const cases: Array<[string, number, number, 3 | 4, Parameters<typeof encodePng>[4]]> = [
    ['RGB, every filter type in turn, one IDAT', 640, 480, 3, {}],
    ['RGBA, every filter type in turn, alpha dropped', 333, 257, 4, {}],
    ['RGB, Paeth rows only, data split into 1000-byte IDATs, with text and gamma chunks', 97, 301, 3, { filters: [4], idatBytes: 1000, extra: [textChunk, gamma] }],
    ['RGB, a single row', 500, 1, 3, { filters: [1] }],
    ['RGBA, a single pixel', 1, 1, 4, { filters: [3] }],
  ];
  for (const [name, width, height, channels, options] of cases) {
    it(`decodes equal to readImage (sharp) byte for byte, whole with @napi-rs/image and in rows with zlib: ${name}`, async () => {
      const bytes = encodePng(noise(width * height * channels, width * 31 + height), width, height, channels, options);
      const path = join(folder, `${width}x${height}.png`);
      await writeFile(path, bytes);
      const expected = await readImage(path);
      for (const input of [path, new Uint8Array(bytes)]) {
        // @napi-rs/image is installed here: readImageRows decodes the whole file with it and reports every row once.
        const { image, reports } = await readRecording(input);
        expectSameImage(image, expected);
        expect(reports).toEqual([height]);
      }
      // Without it, the rows come as they inflate.
      const { image, reports } = await decodeRecording(new Uint8Array(bytes), progressiveCodec);
      expectSameImage(image!, expected);
      expect(reports.at(-1)).toBe(height);
      expect([...reports].sort((left, right) => left - right)).toEqual(reports);
      // A large image arrives in several pieces.
      if (width * height * channels > 1 << 18) expect(reports.length).toBeGreaterThan(4);
    });
  }

  it('reads files synchronously in a worker thread, reusing one array for files one after another, with the same pixels', async () => {
    // The built module, as a worker thread of an installed package runs it.
    const paths: string[] = [];
    for (const [index, [width, height]] of [[210, 150], [200, 150], [40, 30]].entries()) {
      paths.push(join(folder, `worker-${index}.png`));
      await writeFile(paths[index]!, encodePng(noise(width! * height! * 3, index + 3), width!, height!, 3));
    }
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.module).then(async ({ readImageRows, ByteShelf }) => {
        const shelf = new ByteShelf();
        const results = [];
        for (const path of [...workerData.paths, workerData.paths[0]]) {
          let reports = 0;
          const image = await readImageRows(path, () => { reports += 1; }, { shelf });
          results.push({ data: Buffer.from(image.data).toString('base64'), width: image.width, height: image.height, reports, buffer: image.data.buffer });
          shelf.put(image.data);
        }
        parentPort.postMessage(results.map(({ buffer, ...rest }, index) => ({ ...rest, reused: index > 0 && buffer === results[index - 1].buffer })));
      });`;
    const worker = new Worker(source, { eval: true, workerData: { module: new URL('../dist/media/index.js', import.meta.url).href, paths } });
    const results = await new Promise<Array<{ data: string; width: number; height: number; reports: number; reused: boolean }>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    for (const [index, path] of [...paths, paths[0]!].entries()) {
      const expected = await readImage(path);
      expect(Buffer.from(results[index]!.data, 'base64').equals(Buffer.from(expected.data))).toBe(true);
      expect([results[index]!.width, results[index]!.height]).toEqual([expected.width, expected.height]);
    }
    // 200 × 150 takes the 210 × 150 image's array (long enough, and at most twice as long as needed); 40 × 30 gets its own, and so does the next 210 × 150.
    expect(results.map((result) => result.reused)).toEqual([false, true, false, false]);
  });

  it('leaves PNGs it does not decode exactly as sharp does to sharp, reporting every row once', async () => {
    const source = noise(120 * 90 * 3, 5);
    const raw = { raw: { width: 120, height: 90, channels: 3 as const } };
    const others: Record<string, Buffer | Promise<Buffer>> = {
      interlaced: sharp(source, raw).png({ progressive: true }).toBuffer(),
      palette: sharp(source, raw).png({ palette: true }).toBuffer(),
      '16-bit': sharp(source, raw).toColourspace('rgb16').png().toBuffer(),
      grey: sharp(source, raw).toColourspace('b-w').png().toBuffer(),
      'EXIF orientation 6': sharp(source, raw).png().withMetadata({ orientation: 6 }).toBuffer(),
      'an ICC profile': sharp(source, raw).png().withIccProfile('p3').toBuffer(),
      'a tRNS chunk (transparency)': encodePng(source, 120, 90, 3, { extra: [chunk('tRNS', Buffer.from([0, 1, 0, 2, 0, 3]))] }),
      JPEG: sharp(source, raw).jpeg().toBuffer(),
    };
    for (const [name, encode] of Object.entries(others)) {
      const bytes = new Uint8Array(await encode);
      const { image, reports } = await readRecording(bytes);
      expect(reports, name).toEqual([image.height]);
      expectSameImage(image, await readImage(bytes));
    }
  });

  it('leaves damaged PNGs to sharp, whose typed error names the input', async () => {
    const bytes = encodePng(noise(64 * 48 * 3, 9), 64, 48, 3);
    const idat = bytes.indexOf('IDAT', 0, 'latin1');
    const badCrc = Buffer.from(bytes);
    badCrc[idat + 20] = badCrc[idat + 20]! ^ 0xff;
    // Only the CRC wrong: the data would inflate, but sharp (libpng) refuses the file.
    const idatLength = bytes.readUInt32BE(idat - 4);
    const wrongCrcOnly = Buffer.from(bytes);
    wrongCrcOnly.writeUInt32BE((bytes.readUInt32BE(idat + 4 + idatLength) + 1) >>> 0, idat + 4 + idatLength);
    const truncated = bytes.subarray(0, idat + 40);
    for (const damaged of [badCrc, wrongCrcOnly, truncated]) {
      const path = join(folder, 'damaged.png');
      await writeFile(path, damaged);
      await expect(readImageRows(path, () => undefined)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT', message: expect.stringContaining(path) });
      await expect(readImage(path)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT' });
      // Neither decoder's route returns an image for it (the caller then hands the file to sharp).
      for (const codec of [pngCodec!, progressiveCodec]) expect((await decodeRecording(new Uint8Array(damaged), codec)).image).toBeUndefined();
    }
  });

  it('uses the whole-image decoder when it answers, inflates in rows when it has none, and leaves files it rejects to sharp', async () => {
    const [width, height] = [200, 100];
    const bytes = new Uint8Array(encodePng(noise(width * height * 4, 2), width, height, 4));
    const expected = await readImage(bytes);
    const decoded: string[] = [];
    const decoders: Record<string, PngCodec['decode']> = {
      // The file's RGBA pixels, as @napi-rs/image returns them: alpha is dropped.
      answers: async (input) => {
        decoded.push('answers');
        return (await sharp(input).raw().toBuffer()) as Uint8Array;
      },
      'has none': async () => {
        decoded.push('has none');
        return undefined;
      },
      rejects: async () => {
        decoded.push('rejects');
        throw new Error('not a PNG it takes');
      },
      'answers with the wrong size': async () => {
        decoded.push('answers with the wrong size');
        return new Uint8Array(width * height * 3);
      },
    };
    const outcomes: Record<string, string> = {};
    for (const [name, decode] of Object.entries(decoders)) {
      const { image, reports } = await decodeRecording(bytes, { ...pngCodec!, decode });
      if (image === undefined) outcomes[name] = 'undefined';
      else {
        expectSameImage(image, expected);
        expect(reports.at(-1)).toBe(height);
        outcomes[name] = reports.length === 1 ? 'whole' : 'rows';
      }
    }
    expect(decoded).toEqual(Object.keys(decoders));
    expect(outcomes).toEqual({ answers: 'whole', 'has none': 'rows', rejects: 'undefined', 'answers with the wrong size': 'undefined' });
  });

  it('decodes a file whose zlib Adler-32 alone is wrong with @napi-rs/image, which libpng (sharp) and the zlib route refuse (the documented difference)', async () => {
    const [width, height] = [64, 48];
    const pixels = noise(width * height * 3, 11);
    const bytes = encodePng(pixels, width, height, 3, { filters: [0] });
    const idat = bytes.indexOf('IDAT', 0, 'latin1');
    const idatLength = bytes.readUInt32BE(idat - 4);
    // The Adler-32 is the zlib stream's last 4 bytes; the chunk's CRC is recomputed over the change.
    const damaged = Buffer.from(bytes);
    damaged[idat + 4 + idatLength - 1] = damaged[idat + 4 + idatLength - 1]! ^ 0xff;
    damaged.writeUInt32BE(crc32(damaged.subarray(idat, idat + 4 + idatLength)) >>> 0, idat + 4 + idatLength);
    await expect(readImage(new Uint8Array(damaged))).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT' });
    expect((await decodeRecording(new Uint8Array(damaged), progressiveCodec)).image).toBeUndefined();
    const { image } = await readRecording(new Uint8Array(damaged));
    expect(Buffer.compare(Buffer.from(image.data), Buffer.from(pixels))).toBe(0);
  });

  it("rejects with the listener's own error, without decoding the file again", async () => {
    const bytes = new Uint8Array(encodePng(noise(300 * 200 * 3, 4), 300, 200, 3));
    let calls = 0;
    const failure = new Error('the caller failed');
    await expect(
      readImageRows(bytes, () => {
        calls += 1;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('fails as readImage does for empty, missing and directory inputs, and passes raw pixels through uncopied', async () => {
    await expect(readImageRows(new Uint8Array(0), () => undefined)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT', message: expect.stringMatching(/empty/) });
    await expect(readImageRows(folder, () => undefined)).rejects.toThrow(/is a directory/);
    await expect(readImageRows(join(folder, 'missing.png'), () => undefined)).rejects.toMatchObject({ code: 'ACCEL_INVALID_INPUT', message: expect.stringContaining('missing.png') });
    const data = noise(8 * 6 * 3, 1);
    const { image, reports } = await readRecording({ data, width: 8, height: 6, channels: 3 });
    expect(image.data).toBe(data);
    expect(reports).toEqual([6]);
  });
});
