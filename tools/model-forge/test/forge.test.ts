import { execFile } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { ForgeProgressEvent } from '../src/index.js';
import { forgeModel, listPresets, presetIds } from '../src/index.js';
import { compileSources } from './helpers/compile-sources.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

const roots = new TemporaryRoots();
afterAll(() => roots.removeAll());

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort();
}

describe('forgeModel', () => {
  it('writes byte-identical folders on every run', async () => {
    const [first, second] = [await roots.create(), await roots.create()];
    for (const id of presetIds) {
      await forgeModel(id, { root: first });
      await forgeModel(id, { root: second });
    }
    const files = await filesUnder(first);
    expect(await filesUnder(second)).toEqual(files);
    for (const file of files) {
      expect(Buffer.compare(await readFile(join(first, file)), await readFile(join(second, file))), file).toBe(0);
    }
  });

  it('reports the folder, its files and their total size; tiny presets stay small', async () => {
    const root = await roots.create();
    let total = 0;
    for (const id of presetIds) {
      const forged = await forgeModel(id, { root });
      expect(forged.directory).toBe(join(root, id));
      expect(forged.size).toBe('tiny');
      expect([...forged.files, 'forge-manifest.json'].sort()).toEqual(await filesUnder(forged.directory));
      const sizes = await Promise.all(forged.files.map(async (file) => (await stat(join(forged.directory, file))).size));
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(forged.bytes);
      total += forged.bytes;
    }
    expect(total).toBeLessThan(10 * 1024 * 1024);
  });

  it('reports progress per file and returns without writing when the folder is complete', async () => {
    const root = await roots.create();
    const events: ForgeProgressEvent[] = [];
    const forged = await forgeModel('onnx-community/bert-tiny-ONNX', { root, onProgress: (event) => events.push(event) });
    const finished = events.filter((event) => event.bytesWritten === event.totalBytes).map((event) => event.file);
    expect(finished).toEqual(forged.files);
    const modelPath = join(forged.directory, 'onnx/model.onnx');
    const before = await stat(modelPath);
    const again: ForgeProgressEvent[] = [];
    expect(await forgeModel('onnx-community/bert-tiny-ONNX', { root, onProgress: (event) => again.push(event) })).toEqual(forged);
    expect(again).toEqual([]);
    expect((await stat(modelPath)).mtimeMs).toBe(before.mtimeMs);
  });

  it('rewrites a folder whose files do not match the manifest', async () => {
    const root = await roots.create();
    const forged = await forgeModel('onnx-community/bert-tiny-ONNX', { root });
    const modelPath = join(forged.directory, 'onnx/model.onnx');
    const original = await readFile(modelPath);
    await writeFile(modelPath, original.subarray(0, 100));
    await forgeModel('onnx-community/bert-tiny-ONNX', { root });
    expect(Buffer.compare(await readFile(modelPath), original)).toBe(0);
  });

  it('rewrites a folder forged at another size', async () => {
    const root = await roots.create();
    const forged = await forgeModel('onnx-community/bert-tiny-ONNX', { root });
    const manifestPath = join(forged.directory, 'forge-manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { size: string };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, size: 'full' }));
    const events: ForgeProgressEvent[] = [];
    await forgeModel('onnx-community/bert-tiny-ONNX', { root, onProgress: (event) => events.push(event) });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(manifestPath, 'utf8'))).toEqual(manifest);
  });

  it('rejects an unknown id with the list of known ids', async () => {
    const root = await roots.create();
    await expect(forgeModel('nobody/nothing', { root })).rejects.toThrow(
      `Unknown model id "nobody/nothing". Known ids: ${presetIds.join(', ')}`,
    );
  });

  it('survives several processes forging the same model into the same root at once', async () => {
    const [root, reference, build] = [await roots.create(), await roots.create(), await roots.create()];
    const entry = pathToFileURL(await compileSources(build)).href;
    // The full-size round makes the writes long enough to overlap between processes.
    const script = `import { forgeModel } from ${JSON.stringify(entry)};
      for (let round = 0; round < 3; round += 1) {
        await forgeModel(process.argv[1], { root: process.argv[2], size: round === 1 ? 'full' : 'tiny' });
      }`;
    const id = 'onnx-community/bert-tiny-ONNX';
    await Promise.all(
      Array.from({ length: 4 }, () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, id, root])),
    );
    await forgeModel(id, { root: reference });
    const files = await filesUnder(join(reference, id));
    expect(await filesUnder(join(root, id))).toEqual(files);
    for (const file of files) {
      expect(Buffer.compare(await readFile(join(root, id, file)), await readFile(join(reference, id, file))), file).toBe(0);
    }
  });
});

describe('listPresets', () => {
  it('lists every preset id with its family', () => {
    expect(listPresets().map((preset) => preset.id)).toEqual([...presetIds]);
    expect(listPresets()).toContainEqual(expect.objectContaining({ id: 'Xenova/all-MiniLM-L6-v2', family: 'bert' }));
  });
});
