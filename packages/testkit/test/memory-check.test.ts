import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Accel, type SkillV1 } from '@accel/core';
import { fitSlope, measureMemoryGrowth, memoryProblems, quickMemoryCheck, readMatrixCells, type MemoryCheckWork } from '../src/index.js';
import { arithmeticBackend, doublingSkill } from './fixtures/arithmetic.js';
import { climbingThenLevelSkill, leakingPerLoadSkill, leakingPerRequestSkill } from './fixtures/leaking-skill.js';
import { makeModelFolder } from './fixtures/model-folder.js';

const model = await makeModelFolder();
const inputs = [1, [2, 3], 4];

/** The same work the conformance kit gives the check: fresh registries per cycle, one inline endpoint for the requests. */
function work(skill: SkillV1): MemoryCheckWork {
  const backend = arithmeticBackend();
  const registry = () => new Accel({ backends: [backend], skills: [skill] });
  return {
    cycle: async (index) => {
      const accel = registry();
      const id = accel.addEndpoint({ skill, model, backend: backend.name, id: `cycle-${index}` });
      await accel.infer(skill, inputs[index % inputs.length]);
      await accel.removeEndpoint(id);
    },
    openEndpoint: async () => {
      const accel = registry();
      accel.addEndpoint({ skill, model, backend: backend.name, deduplicate: false, isolation: 'inline' });
      await accel.init();
      return { request: (index) => accel.infer(skill, inputs[index % inputs.length]), close: () => accel.dispose() };
    },
  };
}

describe('fitSlope', () => {
  it('fits a line, and one jump does not move it', () => {
    expect(fitSlope([[0, 10], [1, 12], [2, 14], [3, 16]])).toBe(2);
    const flatThenJump = Array.from({ length: 9 }, (_, index) => [index, index < 7 ? 0 : 1_000_000] as [number, number]);
    expect(fitSlope(flatThenJump)).toBe(0);
    expect(fitSlope([[0, 5], [10, 5]])).toBe(0);
    expect(() => fitSlope([[1, 5]])).toThrow('at least two points');
  });
});

describe('the memory check', () => {
  it('passes a skill that keeps nothing', async () => {
    const measurement = await measureMemoryGrowth(work(doublingSkill as SkillV1), { cycles: 50, requests: 2_000 });
    expect(measurement.cycleRssBytes).toHaveLength(9);
    expect(measurement.requestHeapBytes).toHaveLength(9);
    expect(memoryProblems(measurement)).toEqual([]);
    expect(Math.abs(measurement.perRequestBytes)).toBeLessThan(1024);
  });

  it('flags 13 KiB kept per item, measuring about that much per request', async () => {
    const measurement = await measureMemoryGrowth(work(leakingPerRequestSkill(13 * 1024) as SkillV1), { cycles: 10, requests: 2_000 });
    // The inputs cycle through 1, 2 and 1 items: 4/3 items, so about 17.3 KiB, per request.
    expect(measurement.perRequestBytes).toBeGreaterThan(13 * 1024);
    expect(measurement.perRequestBytes).toBeLessThan(22 * 1024);
    expect(measurement.perRequestWindows).toHaveLength(2);
    expect(memoryProblems(measurement)).toEqual([
      expect.stringMatching(/^heap \+ external memory grew 1\d\.\d KiB per request \(fitted over 2000 requests, the last of 2 windows; earlier: 1\d\.\d KiB; bound 1\.0 KiB\)$/),
    ]);
  });

  it('flags 4 MiB kept per load, through RSS', async () => {
    const measurement = await measureMemoryGrowth(work(leakingPerLoadSkill(4 * 1024 * 1024) as SkillV1), { cycles: 16, requests: 64 });
    expect(measurement.perCycleBytes).toBeGreaterThan(3 * 1024 * 1024);
    expect(memoryProblems(measurement)).toEqual([
      expect.stringMatching(/^RSS grew [\d.]+ MiB per add\/remove cycle \(fitted over 16 cycles, the last of 2 windows; earlier: [\d.]+ MiB; bound 1\.00 MiB\)$/),
    ]);
  });

  it('flags, with the quick profile npm test runs, a load that keeps 12 MiB and a request that keeps 13 KiB per item', async () => {
    const { cycles, requests, maxBytesPerCycle, maxBytesPerRequest, warmUpCycles, maxWarmUpCycles, warmUpRequests } = quickMemoryCheck;
    const profile = { cycles, requests, maxBytesPerCycle, maxBytesPerRequest, warmUpCycles, maxWarmUpCycles, warmUpRequests };
    const perLoad = await measureMemoryGrowth(work(leakingPerLoadSkill(12 * 1024 * 1024) as SkillV1), profile);
    expect(perLoad.perCycleBytes).toBeGreaterThan(maxBytesPerCycle);
    expect(memoryProblems(perLoad)).toEqual([expect.stringMatching(/^RSS grew [\d.]+ MiB per add\/remove cycle \(fitted over 10 cycles, the last of 2 windows; earlier: [\d.]+ MiB; bound 4\.00 MiB\)$/)]);
    const perRequest = await measureMemoryGrowth(work(leakingPerRequestSkill(13 * 1024) as SkillV1), profile);
    expect(perRequest.perRequestBytes).toBeGreaterThan(13 * 1024);
    expect(memoryProblems(perRequest)).toEqual([expect.stringMatching(/^heap \+ external memory grew 1\d\.\d KiB per request \(fitted over 256 requests, the last of 2 windows; earlier: 1\d\.\d KiB; bound 4\.0 KiB\)$/)]);
  });

  it('measures a second window when the first climbs, and passes memory that levels', async () => {
    // Warm-up: 10 calm loads. Loads 13 to 22 keep 4 MiB each, inside the first window of 16
    // cycles; the second window is flat again.
    const measurement = await measureMemoryGrowth(work(climbingThenLevelSkill(4 * 1024 * 1024, 13, 22) as SkillV1), { cycles: 16, requests: 64 });
    expect(measurement.warmUpCycles).toBe(10);
    expect(measurement.perCycleWindows).toHaveLength(2);
    expect(measurement.perCycleWindows[0]).toBeGreaterThan(1024 * 1024);
    expect(measurement.perCycleBytes).toBeLessThan(256 * 1024);
    expect(memoryProblems(measurement)).toEqual([]);
  });

  it('fails the conformance kit\'s memory case for a leaking skill, and the matrix cell says why', async () => {
    const reportDirectory = await mkdtemp(join(tmpdir(), 'accel-leak-'));
    const here = dirname(fileURLToPath(import.meta.url));
    const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
    const run = spawnSync(process.execPath, [vitest, 'run', '--config', join(here, 'fixtures', 'leaking', 'vitest.config.ts')], {
      // npm test's depth: the quick check, which the leak must fail too.
      env: { ...process.env, ACCEL_REPORT_DIR: reportDirectory, ACCEL_MEMORY_CHECK: 'quick' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    const [cell] = await readMatrixCells(reportDirectory);
    expect(cell).toMatchObject({ skill: 'leaking-per-request', backend: 'arithmetic', status: 'failed' });
    expect(cell?.reason).toMatch(/memory: .*heap \+ external memory grew 1\d\.\d KiB per request \(fitted over 256 requests, the last of 2 windows; earlier: 1\d\.\d KiB; bound 4\.0 KiB\)/);
    expect(cell?.memory?.perRequestWindows).toHaveLength(2);
    expect(cell?.memory?.perRequestBytes).toBeGreaterThan(13 * 1024);
  }, 180_000);
});
