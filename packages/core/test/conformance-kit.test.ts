import { mkdtemp } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { readMatrixCells, testSkillConformance } from '../src/testing/index.js';
import { arithmeticBackend, doublingSkill } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';

const reportDirectory = await mkdtemp(join(tmpdir(), 'accel-matrix-'));
const model = await makeModelFolder();
const kit = {
  skill: doublingSkill,
  model: () => model,
  inputs: [1, [2, 3], 4],
  invalidInputs: [
    { name: 'empty array', input: [] },
    { name: 'string', input: 'seven' },
  ],
  expectOutput: (output: number[], input: number | number[]) => {
    expect(output).toEqual((typeof input === 'number' ? [input] : input).map((value) => value * 2));
  },
  memory: { cycles: 20, requests: 200 },
  reportDirectory,
};

await testSkillConformance({ ...kit, backend: () => arithmeticBackend() });
await testSkillConformance({
  ...kit,
  backend: () => Object.assign(arithmeticBackend({ available: false }), { name: 'switched-off' }),
});

afterAll(async () => {
  const cells = await readMatrixCells(reportDirectory);
  expect(cells.map((cell) => [cell.backend, cell.status])).toEqual([
    ['arithmetic', 'passed'],
    ['switched-off', 'skipped'],
  ]);
  const [passed, skipped] = cells;
  expect(passed?.cases.map((entry) => entry.status)).toEqual(['passed', 'passed', 'passed']);
  expect(passed?.memory).toMatchObject({ cycles: 20, requests: 200, boundBytes: 128 * 1024 * 1024 });
  expect(passed?.example?.provenance).toMatchObject({ backend: 'arithmetic', dtype: 'fp32', model: { files: ['onnx/model.onnx'] } });
  expect(skipped?.reason).toBe('switched off for this test');
  const markdown = await readFile(join(reportDirectory, 'matrix.md'), 'utf8');
  expect(markdown).toContain('| doubling | passed | skipped: switched off for this test |');
  expect(markdown).not.toMatch(/\| (ok|mock|pass) \|/i);
});
