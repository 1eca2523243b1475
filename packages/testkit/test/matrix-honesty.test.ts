import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMatrixContradictions, findWorkspaceRoot, type MatrixReport } from '../src/index.js';

// The matrix meta-test: the committed report (reports/, written by `npm run matrix`) and the last
// local run's (.cache/reports/, written by `npm test`) must not contradict themselves — no case
// passed while its own cell says it did not run — and no committed report (reports/**) carries
// machine paths.
const root = findWorkspaceRoot(import.meta.dirname)!;
const committed = join(root, 'reports');
const local = join(root, '.cache', 'reports');
const read = (directory: string) => JSON.parse(readFileSync(join(directory, 'matrix.json'), 'utf8')) as MatrixReport;

/** Absolute paths of a checkout, a temporary or a home folder; system paths (/usr, /proc) are allowed. */
const machinePath = /(?<![\w.~<>-])(\/(tmp|home|Users|root|work|private|var\/folders|mnt|runner|builds)\/|[A-Z]:\\)/;

describe('the committed conformance matrix', () => {
  it('has no case passed that its own cell says did not run', () => {
    const report = read(committed);
    expect(report.cells.length).toBeGreaterThan(0);
    expect(findMatrixContradictions(report)).toEqual([]);
  });

  it('carries no machine paths, and neither does any other committed report', () => {
    const reportFiles = (directory: string): string[] =>
      readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? (entry.name === 'cells' ? [] : reportFiles(join(directory, entry.name))) : /\.(json|md)$/.test(entry.name) ? [join(directory, entry.name)] : [],
      );
    const files = reportFiles(committed);
    expect(files.map((file) => relative(committed, file))).toEqual(expect.arrayContaining(['matrix.json', 'matrix.md']));
    const found = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (machinePath.test(line) ? [`${relative(root, file)}:${index + 1}`] : [])),
    );
    expect(found, 'lines with machine paths').toEqual([]);
  });
});

describe.skipIf(!existsSync(join(local, 'matrix.json')))('the last local run\'s matrix (.cache/reports; skipped: no local run yet)', () => {
  it('has no case passed that its own cell says did not run', () => {
    expect(findMatrixContradictions(read(local))).toEqual([]);
  });
});
