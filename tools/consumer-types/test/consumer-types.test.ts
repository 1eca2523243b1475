import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * A consumer of accel type-checks with `skipLibCheck: false`: the declarations of every public
 * entry point (every `exports` entry of every published package) and everything they reach —
 * third-party typings included — compile under strict settings with zero errors.
 */
const projectFolder = new URL('..', import.meta.url).pathname;
const workspaceFolder = join(projectFolder, '..', '..');
const consumerFolder = join(projectFolder, 'consumer');
const entryPointsFile = join(consumerFolder, 'all-entry-points.ts');
const nodeEntryPointsFile = join(consumerFolder, 'node-entry-points.ts');

/**
 * Entry points a Node-only consumer (no DOM lib) cannot type-check, with why. They are still
 * checked with the default lib; every other entry point is checked both ways.
 */
const domOnlyEntryPoints: Readonly<Record<string, string>> = {
  '@accel/testkit/chromium': "drives Chromium through playwright-core, whose own declarations name DOM types (HTMLElement, …)",
};

interface PackageJson {
  readonly name: string;
  readonly private?: boolean;
  readonly exports?: Readonly<Record<string, unknown>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

async function workspacePackages(): Promise<PackageJson[]> {
  const packages: PackageJson[] = [];
  for (const group of ['packages', 'tools']) {
    for (const entry of await readdir(join(workspaceFolder, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const text = await readFile(join(workspaceFolder, group, entry.name, 'package.json'), 'utf8').catch(() => undefined);
      if (text !== undefined) packages.push(JSON.parse(text) as PackageJson);
    }
  }
  return packages.filter((candidate) => candidate.private !== true).sort((a, b) => a.name.localeCompare(b.name));
}

/** `@accel/core`, `@accel/core/media`, …: every `exports` key except `./package.json`. */
async function publicEntryPoints(): Promise<string[]> {
  return (await workspacePackages()).flatMap((found) =>
    Object.keys(found.exports ?? { '.': true })
      .filter((key) => !key.endsWith('.json'))
      .map((key) => (key === '.' ? found.name : `${found.name}/${key.replace(/^\.\//, '')}`)),
  );
}

function entryPointsSource(entryPoints: readonly string[], heading = '// Every public entry point of every published accel package; test/consumer-types.test.ts checks this list.'): string {
  const names = entryPoints.map((_, index) => `entry${index}`);
  return [
    heading,
    ...entryPoints.map((entryPoint, index) => `import * as ${names[index]} from '${entryPoint}';`),
    '',
    `export const entryPoints = [${names.join(', ')}];`,
    '',
  ].join('\n');
}

/** Runs the workspace's TypeScript on one consumer config; returns its diagnostics, one per line. */
async function typeCheck(config: string): Promise<string[]> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', join(consumerFolder, config), '--pretty', 'false'], { cwd: consumerFolder, maxBuffer: 64 * 1024 * 1024 });
    return [];
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    const output = `${stdout ?? ''}${stderr ?? ''}`.trim();
    const diagnostics = output.split('\n').filter((line) => /error TS\d+/.test(line));
    // A failure that printed no diagnostic (tsc crashed, a config is unreadable) is a failure too.
    return diagnostics.length > 0 ? diagnostics : [output || String(error)];
  }
}

describe('consumer types', () => {
  it('the consumer file imports every public entry point of every published package', async () => {
    const entryPoints = await publicEntryPoints();
    expect(entryPoints).toContain('@accel/core');
    expect(entryPoints).toContain('@accel/testkit');
    const expected = entryPointsSource(entryPoints);
    const actual = await readFile(entryPointsFile, 'utf8');
    expect(actual, `consumer/all-entry-points.ts is out of date; write it as:\n${expected}`).toBe(expected);
    const nodeOnly = entryPoints.filter((entryPoint) => domOnlyEntryPoints[entryPoint] === undefined);
    const expectedNode = entryPointsSource(nodeOnly, '// The entry points a Node-only consumer (no DOM lib) imports: all but those test/consumer-types.test.ts lists as needing DOM.');
    const actualNode = await readFile(nodeEntryPointsFile, 'utf8');
    expect(actualNode, `consumer/node-entry-points.ts is out of date; write it as:\n${expectedNode}`).toBe(expectedNode);
    // Every DOM-only exception names an entry point that exists.
    expect(Object.keys(domOnlyEntryPoints).filter((entryPoint) => !entryPoints.includes(entryPoint))).toEqual([]);
  });

  it('this project depends on every published package, so it reruns when any of them changes', async () => {
    const own = JSON.parse(await readFile(join(projectFolder, 'package.json'), 'utf8')) as PackageJson;
    const missing = (await workspacePackages()).map((found) => found.name).filter((name) => own.devDependencies?.[name] === undefined);
    expect(missing).toEqual([]);
  });

  it.each([
    ['tsconfig.json', 'the default lib (with DOM)'],
    ['tsconfig.node.json', 'lib ES2023 only (Node, no DOM)'],
  ])('type-checks with skipLibCheck: false and strict, %s: %s', async (config) => {
    const diagnostics = await typeCheck(config);
    expect(diagnostics, `${diagnostics.length} type errors:\n${diagnostics.join('\n')}`).toEqual([]);
  }, 180_000);
});
