import type { BenchResult } from '../bench-result.js';

/** The whole result as JSON: every sample summary, ratio and goal. */
export function renderJsonReport(result: BenchResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
