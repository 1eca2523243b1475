import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest folder at or above `start` (default: the working directory) holding `nx.json`, else undefined. */
export function findWorkspaceRoot(start: string = process.cwd()): string | undefined {
  let directory = resolve(start);
  for (;;) {
    if (existsSync(join(directory, 'nx.json'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/**
 * Where a test run writes its matrix: `$ACCEL_REPORT_DIR`, else `.cache/reports/` in the workspace
 * root (the nearest folder above the working directory holding `nx.json`), else
 * `./.cache/reports`. `.cache/` is ignored by git, so `npm test` leaves the work tree clean; the
 * committed `reports/matrix.{md,json}` are written on purpose by `npm run matrix`, which sets
 * `ACCEL_REPORT_DIR=reports`.
 */
export function defaultReportDirectory(): string {
  if (process.env.ACCEL_REPORT_DIR) return resolve(process.env.ACCEL_REPORT_DIR);
  return join(findWorkspaceRoot() ?? resolve('.'), '.cache', 'reports');
}
