import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readMatrixCells, testSkillConformance } from '../src/index.js';
import { arithmeticBackend } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';
import { doublingSkillWithSchemas } from './fixtures/schema-skill.js';

// With skill.schemas, the kit validates every output of the lifecycle and bad-input cases against
// schemas.output: here a schema that accepts arrays of even numbers, counting its validations.
const reportDirectory = await mkdtemp(join(tmpdir(), 'accel-schema-'));
const { skill, output } = doublingSkillWithSchemas((value) => Array.isArray(value) && value.every((number) => number % 2 === 0), 'an array of even numbers');
const inputs = [1, [2, 3], 4];
await testSkillConformance({
  skill,
  backend: () => arithmeticBackend(),
  model: await makeModelFolder().then((folder) => () => folder),
  inputs,
  invalidInputs: [{ name: 'string', input: 'seven' }],
  expectOutput: (result: number[]) => expect(Array.isArray(result)).toBe(true),
  memory: { cycles: 2, requests: 2, reason: 'this test only checks the output schema' },
  reportDirectory,
});

afterAll(() => {
  // Each input alone, each input batched, and one request after the bad inputs.
  expect(output.validated).toBe(inputs.length * 2 + 1);
});

it('fails the lifecycle case when an output does not validate, and the matrix cell says why', async () => {
  const childReports = await mkdtemp(join(tmpdir(), 'accel-bad-output-'));
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const run = spawnSync(process.execPath, [vitest, 'run', '--config', join(import.meta.dirname, 'fixtures', 'bad-output', 'vitest.config.ts')], {
    env: { ...process.env, ACCEL_REPORT_DIR: childReports },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stdout + run.stderr).toBe(1);
  const [cell] = await readMatrixCells(childReports);
  expect(cell).toMatchObject({ skill: 'doubling-with-schemas', backend: 'arithmetic', status: 'failed' });
  expect(cell?.reason).toContain("add → init → infer (batch of 1 and of several) → remove: the output for input 0 does not validate against doubling-with-schemas's schemas.output: expected an array of odd numbers");
}, 180_000);
