import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '@accel/bench';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

/** `accel bench` through the CLI's main: @accel/bench is imported on demand and owns the flags and reports. */
describe('accel bench through the CLI', () => {
  const folder = mkdtempSync(join(tmpdir(), 'accel-bench-command-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("prints the bench's refusals as one error line, exit code 1", async () => {
    for (const argv of [['bench', 'bert'], ['bench', '--replicas', '0']]) {
      const { code, stderr } = await run(...argv);
      expect(code).toBe(1);
      expect(stderr.split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^error: ACCEL_INVALID_INPUT/);
    }
  });

  it('runs the bench on a tiny model and writes its reports', async () => {
    const out = join(folder, 'reports');
    const { code, stdout, stderr } = await run('bench', '--quick', '--size', 'tiny', '--skills', 'bert-tiny', '--backends', 'cpu', '--cache-dir', join(folder, 'models'), '--out', out);
    expect(stderr).not.toMatch(/^error:/m);
    expect(code).toBe(0);
    for (const file of ['bench.json', 'bench.md', 'ratios.svg']) expect(existsSync(join(out, file))).toBe(true);
    const written = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResult;
    // Machine paths in the report are written relative to the repository, the temporary folder (`<tmp>`) and home.
    const shown = (path: string) => path.replace(tmpdir(), '<tmp>');
    expect(written.command).toBe(`accel bench --quick --size tiny --skills bert-tiny --backends cpu --cache-dir ${shown(join(folder, 'models'))} --out ${shown(out)}`);
    expect(written.cells.map((cell) => `${cell.profile}@${cell.backend}:${cell.status}`)).toEqual(['bert-tiny@cpu:measured']);
    // The summary's tables are laid out by the CLI's own table renderer.
    expect(stdout).toMatch(/^model\s+backend\s+accel\s+× raw ORT\s+× pipeline\s+note$/m);
    expect(stdout).toMatch(/^-+\s+-+/m);
    expect(stdout).toContain(`wrote ${join(out, 'bench.md')}`);
  }, 120_000);
});
