import { mkdtemp } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { findMatrixContradictions, quickMemoryCheck, readMatrixCells, testSkillConformance } from '../src/index.js';
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
  reference: () => arithmeticBackend(),
  reportDirectory,
  memoryCheck: 'full' as const,
};

// The reference itself (its parity case is skipped, with the reason), another backend compared with
// it, one compared with a reference that is switched off (skipped at run time), and one that is
// unavailable. The last two run a reduced memory check, which the cell must say.
await testSkillConformance({ ...kit, backend: () => arithmeticBackend() });
await testSkillConformance({ ...kit, backend: () => arithmeticBackend({ name: 'other' }) });
await testSkillConformance({
  ...kit,
  backend: () => arithmeticBackend({ name: 'orphan' }),
  reference: () => arithmeticBackend({ available: false, reason: 'reference switched off' }),
  memory: { cycles: 10, requests: 200, reason: 'a test of the reduced label' },
});
await testSkillConformance({
  ...kit,
  backend: () => Object.assign(arithmeticBackend({ available: false }), { name: 'switched-off' }),
});

// npm test's quick depth: the reference backend runs the short memory check, the other backend none,
// and its cell says where it is measured.
const quickDirectory = await mkdtemp(join(tmpdir(), 'accel-matrix-quick-'));
const quickKit = { ...kit, reportDirectory: quickDirectory, memoryCheck: 'quick' as const };
await testSkillConformance({ ...quickKit, backend: () => arithmeticBackend() });
await testSkillConformance({ ...quickKit, backend: () => arithmeticBackend({ name: 'other' }) });
await testSkillConformance({
  ...quickKit,
  backend: () => arithmeticBackend({ name: 'orphan' }),
  reference: () => arithmeticBackend({ available: false, reason: 'reference switched off' }),
});

afterAll(async () => {
  const [quickReference, quickOrphan, quickOther] = await readMatrixCells(quickDirectory);
  // A backend whose reference cannot run here measures its own memory, quickly.
  expect(quickOrphan?.memory).toMatchObject({ cycles: 10, requests: 256, perCycleBoundBytes: 4 * 1024 * 1024 });
  expect(quickReference?.cases.map((entry) => [entry.name, entry.status])).toContainEqual([
    `memory: RSS grows ≤ 4.00 MiB per add/remove cycle over 10 cycles, heap ≤ 4.0 KiB per request over 256 requests (reduced: ${quickMemoryCheck.reason})`,
    'passed',
  ]);
  expect(quickReference?.memory).toMatchObject({ cycles: 10, requests: 256, perCycleBoundBytes: 4 * 1024 * 1024, perRequestBoundBytes: 4 * 1024, reduced: { counts: '10 cycles, 256 requests' } });
  expect(quickReference?.memoryNotMeasured).toBeUndefined();
  expect(quickOther?.status).toBe('passed');
  expect(quickOther?.memory).toBeUndefined();
  expect(quickOther?.cases.map((entry) => entry.name).filter((name) => name.startsWith('memory'))).toEqual([]);
  expect(quickOther?.memoryNotMeasured).toMatch(/^npm test measures memory on arithmetic only; npm run matrix/);
  expect(findMatrixContradictions({ cells: [quickReference!, quickOrphan!, quickOther!] })).toEqual([]);
  expect(await readFile(join(quickDirectory, 'matrix.md'), 'utf8')).toContain('- memory: not measured here: npm test measures memory on arithmetic only');

  const cells = await readMatrixCells(reportDirectory);
  expect(cells.map((cell) => [cell.backend, cell.status])).toEqual([
    ['arithmetic', 'passed'],
    ['orphan', 'passed'],
    ['other', 'passed'],
    ['switched-off', 'skipped'],
  ]);
  const [reference, orphan, other, skipped] = cells;
  const statuses = (cell: typeof reference) => Object.fromEntries(cell!.cases.map((entry) => [entry.name.replace(/^memory: .*/, 'memory'), [entry.status, entry.reason]]));
  const parityName = 'matches the reference backend on the same inputs and model';
  expect(statuses(reference)).toEqual({
    'add → init → infer (batch of 1 and of several) → remove': ['passed', undefined],
    'bad inputs give InvalidInputError and leave the endpoint serving': ['passed', undefined],
    memory: ['passed', undefined],
    [parityName]: ['skipped', 'this is the reference backend'],
  });
  expect(reference?.parity).toMatchObject({ status: 'skipped', reason: 'this is the reference backend' });
  expect(statuses(other)[parityName]).toEqual(['passed', undefined]);
  expect(other?.parity).toMatchObject({ reference: 'arithmetic', status: 'passed', largestDifference: 0 });
  expect(statuses(orphan)[parityName]).toEqual(['skipped', 'the reference backend arithmetic is unavailable: reference switched off']);
  expect(reference?.memory).toMatchObject({ cycles: 30, requests: 1000, perCycleBoundBytes: 1024 * 1024, perRequestBoundBytes: 1024 });
  expect(reference?.memory?.reduced).toBeUndefined();
  expect(orphan?.memory).toMatchObject({ cycles: 10, requests: 200, reduced: { counts: '10 cycles, 200 requests', reason: 'a test of the reduced label' } });
  expect(reference?.example?.provenance).toMatchObject({ backend: 'arithmetic', dtype: 'fp32', model: { files: ['onnx/model.onnx'] } });
  expect(skipped?.reason).toBe('switched off for this test');
  expect(findMatrixContradictions({ cells })).toEqual([]);
  const markdown = await readFile(join(reportDirectory, 'matrix.md'), 'utf8');
  expect(markdown).toContain('| doubling | passed | passed (reduced: 10 cycles, 200 requests) | passed | skipped: switched off for this test | orphan: skipped: the reference backend arithmetic is unavailable');
  expect(markdown).toMatch(/\| doubling \| orphan \| \d+ \| 10 \|/);
  expect(markdown).not.toMatch(/\| (ok|mock|pass) \|/i);
});
