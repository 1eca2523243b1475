import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeGateway, startFakeHub, subDagCars, type FakeHub } from '@accel/fake-hub';
import { forgeModel } from '@accel/model-forge';
import { clipSkill } from '@accel/skill-clip';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from './run-cli.js';

// Issue 13: from nothing installed to a real model answering, against a loopback hub.

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const model = clipSkill.defaultModel;
let hub: FakeHub;
let scratch = '';
let cache = '';
let cat = '';

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1)).sort();
}

beforeAll(async () => {
  const { directory } = await forgeModel(model, { root: modelRoot });
  hub = await startFakeHub({ repos: { [model]: { directory } } });
  scratch = await mkdtemp(join(tmpdir(), 'accel-cli-models-'));
  cache = join(scratch, 'cache');
  cat = join(scratch, 'cat.png');
  await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toFile(cat);
});

afterAll(async () => {
  await hub.close();
  await rm(scratch, { recursive: true, force: true });
});

afterEach(() => vi.unstubAllEnvs());

describe('a first run with no model installed', () => {
  it('accel run clip with no --model downloads the default model from HF_ENDPOINT, verifies it and answers', async () => {
    vi.stubEnv('HF_ENDPOINT', hub.url);
    const { code, stdout, stderr } = await run('run', 'clip', '--image', cat, '--labels', 'a cat,a dog', '--cache-dir', cache, '--threads', '1');
    expect(code, stderr).toBe(0);
    expect(stdout.split('\n')[0]).toBe(cat);
    expect(stdout).toMatch(/^ {2}a (cat|dog)\s+\d\.\d{4}$/m);
    // Only what the skill loads for fp32, plus the JSON configs; every file recorded with its hashes.
    const stored = await filesUnder(join(cache, model));
    expect(stored).toContain('accel-manifest.json');
    expect(stored.filter((file) => file.endsWith('.onnx'))).toEqual(clipSkill.requiredFiles('fp32').flatMap((file) => (typeof file === 'string' && file.endsWith('.onnx') ? [file] : [])).sort());
    const manifest = JSON.parse(await readFile(join(cache, model, 'accel-manifest.json'), 'utf8')) as { revision: string; files: Record<string, { sha256: string; cid: string }> };
    expect(manifest.revision).toBe(hub.commitOf(model));
    for (const file of stored.filter((name) => name !== 'accel-manifest.json')) {
      expect(manifest.files[file]?.sha256, file).toMatch(/^[0-9a-f]{64}$/);
      expect(manifest.files[file]?.cid, file).toMatch(/^baf[a-z2-7]+$/);
    }
  });

  it('--offline refuses to download and says how to get the model', async () => {
    vi.stubEnv('HF_ENDPOINT', hub.url);
    hub.requests.length = 0;
    const { code, stderr } = await run('run', 'clip', '--image', cat, '--labels', 'a cat,a dog', '--cache-dir', join(scratch, 'empty'), '--offline');
    expect(code).toBe(1);
    expect(stderr).toMatch(/ACCEL_MODEL_NOT_FOUND/);
    expect(stderr).toMatch(/offline/);
    expect(hub.requests).toEqual([]);
  });
});

describe('accel models', () => {
  it('ls lists the stored model with its commit, dtypes, size and verification time', async () => {
    const { code, stdout } = await run('models', 'ls', '--cache-dir', cache);
    expect(code).toBe(0);
    const row = stdout.split('\n').find((line) => line.startsWith(model));
    expect(row).toMatch(new RegExp(`^${model}\\s+${hub.commitOf(model).slice(0, 12)}\\s+fp32\\s+\\d+\\s+[\\d.]+ MB\\s+\\d{4}-\\d\\d-\\d\\dT`));
  });

  it('verify passes, then names a flipped byte and exits 1', async () => {
    expect(await run('models', 'verify', '--cache-dir', cache)).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^ok\\s+${model} \\(\\d+ files\\)$`)) });
    const path = join(cache, model, 'onnx', 'vision_model.onnx');
    const bytes = await readFile(path);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x10;
    await writeFile(path, bytes);
    const { code, stdout } = await run('models', 'verify', model, '--cache-dir', cache);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^FAILED  ${model}: onnx/vision_model.onnx: sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \\(corrupted\\)$`, 'm'));
    expect(stdout).toContain(`fix: accel models pull ${model}`);
    // accel run --verify refuses it too, naming the file.
    const refused = await run('run', 'clip', '--image', cat, '--labels', 'a cat,a dog', '--cache-dir', cache, '--offline', '--verify');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ACCEL_MODEL_INTEGRITY: model .*onnx\/vision_model\.onnx: sha256/);
  });

  it('export-car writes a CAR whose files another machine pulls from an IPFS gateway by their manifest CIDs', async () => {
    // The pull re-hashes and repairs the byte the test above flipped.
    vi.stubEnv('HF_ENDPOINT', hub.url);
    const repaired = await run('models', 'pull', model, '--cache-dir', cache, '--json');
    expect((JSON.parse(repaired.stdout) as { files: { path: string; source: string }[] }).files.filter((file) => file.source === 'hub').map((file) => file.path)).toEqual(['onnx/vision_model.onnx']);
    vi.unstubAllEnvs();
    const car = join(scratch, 'model.car');
    const exported = await run('models', 'export-car', model, '--out', car, '--cache-dir', cache, '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const { root, files } = JSON.parse(exported.stdout) as { root: string; files: Record<string, string> };
    expect(root).toMatch(/^bafy/);
    const manifestPath = join(cache, model, 'accel-manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Record<string, { cid: string }> };
    for (const [file, cid] of Object.entries(files)) expect(cid, file).toBe(manifest.files[file]?.cid);
    const gateway = await startFakeGateway({ cars: await subDagCars(await readFile(car)) });
    try {
      vi.stubEnv('ACCEL_IPFS_GATEWAY', gateway.url);
      vi.stubEnv('HF_ENDPOINT', 'http://127.0.0.1:9'); // no hub: every byte must come from IPFS
      const elsewhere = join(scratch, 'elsewhere');
      const pulled = await run('models', 'pull', model, '--from', 'ipfs', '--manifest', manifestPath, '--cache-dir', elsewhere, '--json');
      expect(pulled.code, pulled.stderr).toBe(0);
      const result = JSON.parse(pulled.stdout) as { files: { path: string; source: string }[] };
      expect(result.files.map((file) => file.source)).toEqual(result.files.map(() => 'ipfs'));
      expect(result.files.map((file) => file.path).sort()).toEqual(Object.keys(files).sort());
      expect(gateway.requests.every((request) => request.path.startsWith('/ipfs/baf'))).toBe(true);
      expect(await run('models', 'verify', '--cache-dir', elsewhere)).toMatchObject({ code: 0 });
    } finally {
      await gateway.close();
    }
  });

  it('pull fetches again only what changed on disk, and rm removes the model', async () => {
    vi.stubEnv('HF_ENDPOINT', hub.url);
    await rm(join(cache, model, 'onnx', 'vision_model.onnx'));
    const pulled = await run('models', 'pull', model, '--cache-dir', cache, '--json');
    expect(pulled.code, pulled.stderr).toBe(0);
    const result = JSON.parse(pulled.stdout) as { revision: string; files: { path: string; source: string }[] };
    expect(result.revision).toBe(hub.commitOf(model));
    expect(result.files.filter((file) => file.source === 'hub').map((file) => file.path)).toEqual(['onnx/vision_model.onnx']);
    expect(await run('models', 'rm', model, '--cache-dir', cache)).toMatchObject({ code: 0, stdout: `removed ${model}` });
    expect(await run('models', 'ls', '--cache-dir', cache)).toMatchObject({ code: 0, stdout: 'no models stored (accel models pull <id>)' });
    expect(await run('models', 'rm', model, '--cache-dir', cache)).toMatchObject({ code: 1, stdout: `${model} is not stored` });
  });

  it('pull of a dtype the repository lacks names the dtypes it has; a traversal id is refused', async () => {
    vi.stubEnv('HF_ENDPOINT', hub.url);
    const missing = await run('models', 'pull', model, '--dtype', 'q4', '--cache-dir', cache);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ACCEL_MODEL_NOT_FOUND: .*No q4 ONNX files in the hub repository; it publishes .*vision_model: fp32/);
    const traversal = await run('models', 'pull', '../../etc', '--cache-dir', cache);
    expect(traversal.code).toBe(1);
    expect(traversal.stderr).toMatch(/ACCEL_INVALID_INPUT: .*not a hub id/);
  });
});
