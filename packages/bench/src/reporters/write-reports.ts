import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResult } from '../bench-result.js';
import { renderJsonReport } from './json-report.js';
import { renderMarkdownReport } from './markdown-report.js';
import { renderResultChart } from './svg-chart.js';

/** Writes `bench.json`, `bench.md` and `ratios.svg` into the folder; returns their paths. */
export async function writeReports(result: BenchResult, directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const files: Array<[string, string]> = [
    ['bench.json', renderJsonReport(result)],
    ['bench.md', renderMarkdownReport(result)],
    ['ratios.svg', renderResultChart(result)],
  ];
  for (const [name, content] of files) await writeFile(join(directory, name), content);
  return files.map(([name]) => join(directory, name));
}
