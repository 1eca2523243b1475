import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-program.js';
import { presetIds } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

const roots = new TemporaryRoots();
afterAll(() => roots.removeAll());

async function cli(...args: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await runCli(args, { log: (line) => lines.push(line), error: (line) => errors.push(line) });
  return { code, lines, errors };
}

describe('model-forge CLI', () => {
  it('lists the presets', async () => {
    const { code, lines } = await cli('--list');
    expect(code).toBe(0);
    expect(lines.map((line) => line.split(' ')[0])).toEqual([...presetIds]);
  });

  it('writes the given ids, then reports them up to date', async () => {
    const out = await roots.create();
    const first = await cli('--out', out, 'onnx-community/bert-tiny-ONNX');
    expect(first.code).toBe(0);
    expect(first.lines[0]).toMatch(/^onnx-community\/bert-tiny-ONNX {2}[\d.]+ KiB {2}written$/);
    expect(first.lines.at(-1)).toMatch(new RegExp(`^1 tiny model\\(s\\), [\\d.]+ KiB in ${out} \\(`));
    expect((await stat(join(out, 'onnx-community/bert-tiny-ONNX/onnx/model.onnx'))).isFile()).toBe(true);
    expect((await cli('--out', out, 'onnx-community/bert-tiny-ONNX')).lines[0]).toMatch(/up to date$/);
  });

  it('writes every preset when no id is given', async () => {
    const out = await roots.create();
    const { lines } = await cli('--out', out);
    expect(lines).toHaveLength(presetIds.length + 1);
  });

  it('fails with one line and exit code 1 on bad input', async () => {
    for (const args of [['--size', 'huge'], ['--out', '/tmp', 'nobody/nothing'], ['--bogus']]) {
      const { code, errors, lines } = await cli(...args);
      expect(code).toBe(1);
      expect(lines).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^model-forge: /);
    }
  });
});
