import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** `$ACCEL_REPORT_DIR`, else `reports/` in the nearest folder above the working directory holding `nx.json`, else `./reports`. */
export function defaultReportDirectory(): string {
  if (process.env.ACCEL_REPORT_DIR) return resolve(process.env.ACCEL_REPORT_DIR);
  let directory = process.cwd();
  for (;;) {
    if (existsSync(join(directory, 'nx.json'))) return join(directory, 'reports');
    const parent = dirname(directory);
    if (parent === directory) return resolve('reports');
    directory = parent;
  }
}
