// `npm run matrix`: regenerates the committed conformance matrix, reports/matrix.{md,json}, on
// purpose. `npm test` writes its matrix to the ignored .cache/reports/ and leaves the work tree
// clean; this script clears reports/cells/ (ignored: one file per skill × backend, from which the
// report is assembled), runs every skill's tests with ACCEL_REPORT_DIR=reports (bypassing Nx's
// cache, which would replay earlier results without writing cells) and checks the report it got:
// it exits non-zero when any test failed or when the report contradicts itself. It also sets
// ACCEL_MEMORY_CHECK=full: `npm test` runs one quick memory check per skill (cpu only, 10 cycles and
// 256 requests, coarser bounds) to fit CI's time, the committed matrix carries the full counts on
// every backend.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const reports = join(root, 'reports');
rmSync(join(reports, 'cells'), { recursive: true, force: true });

const run = spawnSync('npx', ['nx', 'run-many', '-t', 'test', '--projects=@accel/skill-*', '--skip-nx-cache', '--output-style=static'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ACCEL_REPORT_DIR: reports, ACCEL_MEMORY_CHECK: 'full' },
});

const { findMatrixContradictions } = await import(pathToFileURL(join(root, 'packages/testkit/dist/reports.js')).href);
const report = JSON.parse(readFileSync(join(reports, 'matrix.json'), 'utf8'));
const contradictions = findMatrixContradictions(report);
for (const problem of contradictions) console.error(`matrix contradiction: ${problem}`);
const counts = report.cells.reduce((tally, cell) => ({ ...tally, [cell.status]: (tally[cell.status] ?? 0) + 1 }), {});
console.log(`reports/matrix.md and reports/matrix.json: ${report.cells.length} cells (${Object.entries(counts).map(([status, count]) => `${count} ${status}`).join(', ')})`);
process.exit(run.status !== 0 || contradictions.length > 0 ? 1 : 0);
