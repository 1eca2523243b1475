import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Reports from '@accel/testkit/reports';
import type { BenchResult } from '../bench-result.js';
import { renderJsonReport } from './json-report.js';
import { renderMarkdownReport } from './markdown-report.js';
import { renderResultChart } from './svg-chart.js';

/**
 * `@accel/testkit/reports`, an optional peer dependency: installed in the accel repository, whose
 * committed reports must not name the machine that wrote them; elsewhere a report keeps the paths
 * of the machine it describes.
 */
async function importReports(): Promise<typeof Reports | undefined> {
  try {
    return await import('@accel/testkit/reports');
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === 'ERR_MODULE_NOT_FOUND' && String(message).includes("'@accel/testkit'")) return undefined;
    throw error;
  }
}

/**
 * Writes `files` (name and how to render it) into the folder, from the result with machine paths
 * made relative when `@accel/testkit` is installed; returns their paths.
 */
export async function writeReportFiles<Result>(result: Result, directory: string, files: ReadonlyArray<readonly [string, (written: Result) => string]>): Promise<string[]> {
  const reports = await importReports();
  const written = reports ? reports.relativizeMachinePaths(result, reports.machinePlaces(directory)) : result;
  await mkdir(directory, { recursive: true });
  for (const [name, render] of files) await writeFile(join(directory, name), render(written));
  return files.map(([name]) => join(directory, name));
}

/**
 * Writes `bench.json`, `bench.md` and `ratios.svg` into the folder; returns their paths. With
 * `@accel/testkit` installed, machine paths in the result (a probe's reason naming a folder under
 * the repository, the temporary or the home folder) are written relative to those places.
 */
export async function writeReports(result: BenchResult, directory: string): Promise<string[]> {
  return writeReportFiles(result, directory, [
    ['bench.json', renderJsonReport],
    ['bench.md', renderMarkdownReport],
    ['ratios.svg', renderResultChart],
  ]);
}
