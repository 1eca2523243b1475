import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeHub, type FakeHub } from '@accel/fake-hub';
import { forgeModel } from '@accel/model-forge';
import { bertSkill } from '@accel/skill-bert';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/index.js';
import { createDownloadProgress } from '../src/download-progress.js';

// Issue 11, section 6: a download printed one line per network chunk (1,225 lines per model).

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const model = bertSkill.defaultModel;
let hub: FakeHub;
let cacheRoot = '';

beforeAll(async () => {
  const { directory } = await forgeModel(model, { root: modelRoot });
  // A loopback hub serving the forged model in 4 KB writes, as a network would.
  hub = await startFakeHub({ repos: { [model]: { directory } }, chunkBytes: 4096, delayMs: 1 });
  cacheRoot = await mkdtemp(join(tmpdir(), 'accel-cli-download-'));
});

afterAll(async () => {
  await hub.close();
  await rm(cacheRoot, { recursive: true, force: true });
});

/** Content requests per file (LFS files are redirected once, then served). */
function filesServed(): string[] {
  const prefix = `/cdn/${hub.commitOf(model)}/`;
  const resolvePrefix = `/${model}/resolve/${hub.commitOf(model)}/`;
  return [...new Set(hub.requests.filter((request) => request.path.startsWith(prefix) || request.path.startsWith(resolvePrefix)).map((request) => request.path.replace(prefix, '').replace(resolvePrefix, '')))];
}

/** `accel run bert hi` (no --model: the default model) against the fake hub, into a fresh cache folder. */
async function download(interactive: boolean, cacheName: string) {
  const written: string[] = [];
  const stderr: string[] = [];
  vi.stubEnv('HF_ENDPOINT', hub.url);
  hub.requests.length = 0;
  try {
    const code = await main(['run', 'bert', 'hi', '--cache-dir', join(cacheRoot, cacheName)], {
      stdout: () => undefined,
      stderr: (text) => stderr.push(text),
      progress: { interactive, write: (text) => written.push(text) },
    });
    return { code, written, stderr: stderr.join('\n'), served: filesServed() };
  } finally {
    vi.unstubAllEnvs();
  }
}

describe('download progress from a (loopback) hub', () => {
  it('without a terminal: one line per file, when it is complete, however many chunks it came in', async () => {
    const { code, written, stderr, served } = await download(false, 'lines');
    expect(code, stderr).toBe(0);
    expect(served.length).toBeGreaterThanOrEqual(3);
    expect(written).toHaveLength(served.length);
    for (const file of served) {
      const size = (await stat(join(cacheRoot, 'lines', model, file))).size;
      expect(written).toContain(`downloading ${model}/${file}: ${(size / 1e6).toFixed(1)} MB / ${(size / 1e6).toFixed(1)} MB (done)`);
    }
  });

  it('on a terminal: one line redrawn in place, with every file so far, the rate and the time left', async () => {
    const { code, written, stderr, served } = await download(true, 'terminal');
    expect(code, stderr).toBe(0);
    let total = 0;
    for (const file of served) total += (await stat(join(cacheRoot, 'terminal', model, file))).size;
    // Far fewer redraws than the 4 KB writes the hub made.
    expect(written.length).toBeLessThan(total / 4096 / 2);
    expect(written.at(-1)).toBe('\n');
    const redraws = written.slice(0, -1);
    for (const redraw of redraws) expect(redraw).toMatch(new RegExp(`^\\r\\u001b\\[2Kdownloading ${model}: \\d+ files?, [\\d.]+ MB / [\\d.]+ MB, [\\d.]+ MB/s(, \\d+ s left)?$`));
    expect(redraws.at(-1)).toContain(`: ${served.length} files, ${(total / 1e6).toFixed(1)} MB / ${(total / 1e6).toFixed(1)} MB, `);
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
