import { readFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { createDownloadProgress } from '../src/download-progress.js';

// Issue 11, section 6: a download printed one line per network chunk (1,225 lines per model).

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const model = 'prajjwal1/bert-tiny';
let bertTiny = '';
let server: Server;
let host = '';
let cacheRoot = '';
/** Chunks the fake hub wrote, per file. */
const chunksServed = new Map<string, number>();

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

beforeAll(async () => {
  bertTiny = (await forgeModel(model, { root: modelRoot })).directory;
  const files = await filesUnder(bertTiny);
  // A loopback stand-in for the hub: serves the forged model's files in 4 KB chunks, as a network would.
  server = createServer((request, response) => {
    const prefix = `/${model}/resolve/main/`;
    const file = request.url?.startsWith(prefix) ? decodeURIComponent(request.url.slice(prefix.length)) : undefined;
    if (file === undefined || !files.includes(file)) {
      response.writeHead(404).end('not found');
      return;
    }
    void readFile(join(bertTiny, file)).then(async (body) => {
      response.writeHead(200, { 'content-length': body.byteLength });
      let chunks = 0;
      for (let offset = 0; offset < body.byteLength; offset += 4096) {
        response.write(body.subarray(offset, offset + 4096));
        chunks += 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      chunksServed.set(file, chunks);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cacheRoot = await mkdtemp(join(tmpdir(), 'accel-cli-download-'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(cacheRoot, { recursive: true, force: true });
});

/** `accel run bert hi --download` against the fake hub, into a fresh cache folder. */
async function download(interactive: boolean, cacheName: string) {
  const written: string[] = [];
  const stderr: string[] = [];
  const previous = process.env.ACCEL_REMOTE_HOST;
  process.env.ACCEL_REMOTE_HOST = host;
  chunksServed.clear();
  try {
    const code = await main(['run', 'bert', 'hi', '--model', model, '--cache-dir', join(cacheRoot, cacheName), '--download'], {
      stdout: () => undefined,
      stderr: (text) => stderr.push(text),
      progress: { interactive, write: (text) => written.push(text) },
    });
    return { code, written, stderr: stderr.join('\n'), served: new Map(chunksServed) };
  } finally {
    if (previous === undefined) delete process.env.ACCEL_REMOTE_HOST;
    else process.env.ACCEL_REMOTE_HOST = previous;
  }
}

describe('download progress from a (loopback) hub', () => {
  it('without a terminal: one line per file, when it is complete, however many chunks it came in', async () => {
    const { code, written, stderr, served } = await download(false, 'lines');
    expect(code, stderr).toBe(0);
    expect(served.size).toBeGreaterThanOrEqual(3);
    expect(Math.max(...served.values())).toBeGreaterThan(10);
    expect(written).toHaveLength(served.size);
    for (const [file] of served) {
      const size = (await stat(join(cacheRoot, 'lines', model, file))).size;
      expect(written).toContain(`downloading ${model}/${file}: ${(size / 1e6).toFixed(1)} MB / ${(size / 1e6).toFixed(1)} MB (done)`);
    }
  });

  it('on a terminal: one line redrawn in place, with every file so far, the rate and the time left', async () => {
    const { code, written, stderr, served } = await download(true, 'terminal');
    expect(code, stderr).toBe(0);
    const chunks = [...served.values()].reduce((sum, count) => sum + count, 0);
    expect(written.length).toBeLessThan(chunks / 2);
    expect(written.at(-1)).toBe('\n');
    const redraws = written.slice(0, -1);
    for (const redraw of redraws) expect(redraw).toMatch(new RegExp(`^\\r\\u001b\\[2Kdownloading ${model}: \\d+ files?, [\\d.]+ MB / [\\d.]+ MB, [\\d.]+ MB/s(, \\d+ s left)?$`));
    let total = 0;
    for (const [file] of served) total += (await stat(join(cacheRoot, 'terminal', model, file))).size;
    expect(redraws.at(-1)).toContain(`: ${served.size} files, ${(total / 1e6).toFixed(1)} MB / ${(total / 1e6).toFixed(1)} MB, `);
  });
});

describe('createDownloadProgress', () => {
  const event = (file: string, bytesReceived: number, totalBytes: number | undefined) => ({ type: 'download-progress' as const, model: 'owner/model', file, bytesReceived, totalBytes });

  it('without a terminal writes a line per file at most every 5 s while it downloads, and one when it is complete', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = createDownloadProgress({ interactive: false, write: (line) => lines.push(line) }, { now: () => now });
    for (let step = 1; step <= 1200; step += 1) {
      now = step * 10;
      progress.update(event('onnx/model.onnx', step * 1e5, 1.2e8));
    }
    expect(lines).toEqual([
      'downloading owner/model/onnx/model.onnx: 50.1 MB / 120.0 MB',
      'downloading owner/model/onnx/model.onnx: 100.1 MB / 120.0 MB',
      'downloading owner/model/onnx/model.onnx: 120.0 MB / 120.0 MB (done)',
    ]);
    progress.update(event('config.json', 700, 700));
    expect(lines.at(-1)).toBe('downloading owner/model/config.json: 0.0 MB / 0.0 MB (done)');
    expect(lines).toHaveLength(4);
  });

  it('on a terminal redraws at most every 100 ms, with the total so far, the rate and the time left', () => {
    let now = 0;
    const writes: string[] = [];
    const progress = createDownloadProgress({ interactive: true, write: (text) => writes.push(text) }, { now: () => now });
    progress.update(event('config.json', 1e6, 1e6));
    for (let step = 1; step <= 100; step += 1) {
      now = step * 10;
      progress.update(event('onnx/model.onnx', step * 1e5, 2e7));
    }
    progress.finish();
    expect(writes.length).toBeLessThanOrEqual(12);
    expect(writes.at(-2)).toBe('\r\u001b[2Kdownloading owner/model: 2 files, 11.0 MB / 21.0 MB, 11.0 MB/s, 1 s left');
    expect(writes.at(-1)).toBe('\n');
  });
});
