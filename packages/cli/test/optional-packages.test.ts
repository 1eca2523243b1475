import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { importOptional } from '../src/optional-package.js';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const hidePackages = new URL('./hide-packages.mjs', import.meta.url).pathname;

/** Runs the built `accel` in a new process in which the given packages cannot be found (as if not installed). */
async function accelWithout(hidden: readonly string[], ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', hidePackages, bin, ...argv], {
      env: { ...process.env, ACCEL_HIDE_PACKAGES: hidden.join(',') },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('optional packages (@accel/bench, @accel/model-forge) that are not installed', () => {
  it('accel bench says in one line to install @accel/bench, and exits 1', async () => {
    for (const argv of [['bench', '--quick'], ['bench', '--help']]) {
      const { code, stdout, stderr } = await accelWithout(['@accel/bench'], ...argv);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe('error: ACCEL_UNSUPPORTED: accel bench needs @accel/bench: npm install @accel/bench\n');
    }
    const json = await accelWithout(['@accel/bench'], 'bench', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'ACCEL_UNSUPPORTED', message: 'accel bench needs @accel/bench: npm install @accel/bench' } });
  });

  it('accel doctor --smoke says in one line to install @accel/model-forge, and exits 1; accel doctor works without it', async () => {
    const smoke = await accelWithout(['@accel/model-forge'], 'doctor', '--smoke');
    expect(smoke.code).toBe(1);
    expect(smoke.stdout).toBe('');
    expect(smoke.stderr).toBe('error: ACCEL_UNSUPPORTED: accel doctor --smoke needs @accel/model-forge: npm install @accel/model-forge\n');
    const doctor = await accelWithout(['@accel/model-forge', '@accel/bench'], 'doctor');
    expect(doctor.stderr).toBe('');
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/^cpu\s+yes\s/m);
  });

  it('hides only the packages it is told to: with nothing hidden, the same command gets past the import', async () => {
    const { code, stdout } = await accelWithout([], 'bench', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: accel bench \[--quick\]/);
  });

  it('reports a package that is installed but fails to load as it is, not as missing', async () => {
    // @accel/bench is there, but a package it imports (the model forge) is not.
    const { code, stderr } = await accelWithout(['@accel/model-forge'], 'bench', '--help');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: ERR_MODULE_NOT_FOUND: Cannot find package '@accel\/model-forge' imported from /);
    await expect(importOptional('@accel/bench', 'accel bench', () => Promise.reject(new SyntaxError('Unexpected token')))).rejects.toThrow(SyntaxError);
  });
});
