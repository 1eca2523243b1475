import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { forgeModel } from '@accel/model-forge';
import { describe, expect, it } from 'vitest';
import { loadTransformersBuild } from '@accel/core';
import { withoutOnnxruntimeNodePreload } from '@accel/core/testing';
import type * as Transformers from '@huggingface/transformers';

const run = promisify(execFile);
const modelRoot = fileURLToPath(new URL('../../../.cache/models/tiny', import.meta.url));
const text = 'the quick brown fox';

/** What the child reports about the build it loaded, a tokenizer read from a folder, and one tensor operation. */
const childScript = `
import { loadTransformersBuild } from '@accel/core';
const { build, reason, module, Tensor } = await loadTransformersBuild();
const tokenizer = await module.AutoTokenizer.from_pretrained(process.argv[1], { local_files_only: true });
const missing = await module.AutoTokenizer.from_pretrained(process.argv[1] + '/no-such-folder', { local_files_only: true }).then(() => 'loaded', (error) => error.constructor.name);
const product = await module.matmul(new module.Tensor('float32', Float32Array.of(1, 2, 3, 4), [2, 2]), new module.Tensor('float32', Float32Array.of(5, 6, 7, 8), [2, 2]));
process.stdout.write(JSON.stringify({
  build,
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

  it('loads the web build where onnxruntime-node cannot be resolved: it reads model folders and runs its tensor operations', async () => {
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
    expect(child).toEqual({
      build: 'web',
      reason: expect.stringContaining('onnxruntime-node cannot be required here') as string,
      ownTensorsAreTheClass: true,
      ids: tokenizer.encode(text),
      missing,
      product: [19, 22, 43, 50],
    });
  });
});
