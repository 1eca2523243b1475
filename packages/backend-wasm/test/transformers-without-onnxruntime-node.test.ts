import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { forgeModel } from '@accel/model-forge';
import { describe, expect, it } from 'vitest';
import { createPixelValuesReader, loadTransformersBuild } from '@accel/transformers-kit';
import { withoutOnnxruntimeNodePreload } from '@accel/testkit';
import type * as Transformers from '@huggingface/transformers';

const run = promisify(execFile);
const modelRoot = fileURLToPath(new URL('../../../.cache/models/tiny', import.meta.url));
const text = 'the quick brown fox';

/** What the child reports about the build it loaded, a tokenizer read from a folder, and one tensor operation. */
const childScript = `
import { createPixelValuesReader, loadTransformersBuild } from '@accel/transformers-kit';
const { build, reason, module, Tensor } = await loadTransformersBuild();
const tokenizer = await module.AutoTokenizer.from_pretrained(process.argv[1], { local_files_only: true });
const missing = await module.AutoTokenizer.from_pretrained(process.argv[1] + '/no-such-folder', { local_files_only: true }).then(() => 'loaded', (error) => error.constructor.name);
const product = await module.matmul(new module.Tensor('float32', Float32Array.of(1, 2, 3, 4), [2, 2]), new module.Tensor('float32', Float32Array.of(5, 6, 7, 8), [2, 2]));
// Lanczos resizing is not on accel's own sharp route: it needs the Node build's image functions.
const lanczos = await createPixelValuesReader(new module.ImageProcessor({ do_resize: true, size: { width: 8, height: 8 }, resample: 1, do_rescale: true }));
const image = { data: new Uint8Array(4 * 4 * 3).fill(128), width: 4, height: 4, channels: 3 };
const lanczosResize = await lanczos(image).then(() => 'ran', (error) => error.code);
process.stdout.write(JSON.stringify({
  build,
  lanczosResize,
  reason,
  ownTensorsAreTheClass: new module.Tensor('float32', Float32Array.of(1), [1]).ort_tensor instanceof Tensor,
  ids: tokenizer.encode(${JSON.stringify(text)}),
  missing,
  product: Array.from(product.data),
}));
`;

describe("core's loadTransformersBuild, the base of every transformers.js skill on wasm", () => {
  it("loads the Node build where onnxruntime-node can be required, with onnxruntime-node's Tensor class", async () => {
    const loaded = await loadTransformersBuild();
    expect(loaded.build).toBe('node');
    expect(loaded.reason).toBeUndefined();
    const transformersEntry = createRequire(import.meta.url).resolve('@huggingface/transformers');
    expect(loaded.Tensor).toBe((createRequire(transformersEntry)('onnxruntime-node') as { Tensor: unknown }).Tensor);
    expect(await loadTransformersBuild()).toBe(loaded);
  });

  it('loads the web build where onnxruntime-node cannot be resolved: it reads model folders, runs its tensor operations, and refuses image settings it cannot preprocess', async () => {
    const { directory } = await forgeModel('Xenova/whisper-tiny', { root: modelRoot });
    const { stdout } = await run(process.execPath, ['--import', withoutOnnxruntimeNodePreload, '--input-type=module', '--eval', childScript, directory], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
    const child = JSON.parse(stdout) as { build: string; reason: string; ownTensorsAreTheClass: boolean; ids: number[]; missing: string; product: number[] };

    const module = (await loadTransformersBuild()).module as typeof Transformers;
    const tokenizer = await module.AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    // A folder without the files fails as it does with the Node build (transformers.js's own error).
    const missing = await module.AutoTokenizer.from_pretrained(`${directory}/no-such-folder`, { local_files_only: true }).then(
      () => 'loaded',
      (error: unknown) => (error as object).constructor.name,
    );
    expect(missing).not.toBe('loaded');
    // The Node build resizes with Lanczos through transformers.js's own image functions.
    const lanczos = await createPixelValuesReader(new module.ImageProcessor({ do_resize: true, size: { width: 8, height: 8 }, resample: 1, do_rescale: true }));
    expect((await lanczos({ data: new Uint8Array(4 * 4 * 3).fill(128), width: 4, height: 4, channels: 3 })).dims).toEqual([3, 8, 8]);
    expect(child).toEqual({
      build: 'web',
      reason: expect.stringContaining('onnxruntime-node cannot be required here') as string,
      ownTensorsAreTheClass: true,
      ids: tokenizer.encode(text),
      missing,
      product: [19, 22, 43, 50],
      lanczosResize: 'ACCEL_UNSUPPORTED',
    });
  });
});
