import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { bicubicKernelsWasm } from '../src/transformers/bicubic-kernels-wasm.js';
// @ts-expect-error: a plain ES module of the package's scripts, without declarations.
import { compileWat } from '../scripts/compile-wat.mjs';

describe('bicubic-kernels-wasm.ts', () => {
  it('holds the bytes of bicubic-kernels.wat as it is (npm run build:wasm rewrites it)', async () => {
    const text = await readFile(new URL('../src/transformers/bicubic-kernels.wat', import.meta.url), 'utf8');
    const bytes = (await compileWat(text)) as Uint8Array;
    expect(Buffer.from(bicubicKernelsWasm, 'base64').equals(Buffer.from(bytes))).toBe(true);
  });
});
