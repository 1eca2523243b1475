import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMatrixCells, recordMatrixCell, type MatrixCell } from '../src/testing/index.js';

const cell = (skill: string, backend: string, status: MatrixCell['status'], reason?: string): MatrixCell => ({
  skill,
  backend,
  backendPackage: `@accel/backend-${backend}`,
  status,
  ...(reason ? { reason } : {}),
  cases: [],
  recordedAt: new Date(0).toISOString(),
});

describe('matrix report', () => {
  it('keeps every cell when test processes record at once', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'accel-matrix-'));
    await Promise.all([
      recordMatrixCell(directory, cell('bert', 'cpu', 'passed')),
      recordMatrixCell(directory, cell('bert', 'cuda', 'skipped', 'no NVIDIA driver | nvidia-smi not found')),
      recordMatrixCell(directory, cell('sentence-embeddings', 'cpu', 'failed', 'batched differs')),
    ]);
    expect((await readMatrixCells(directory)).length).toBe(3);
    const report = JSON.parse(await readFile(join(directory, 'matrix.json'), 'utf8')) as { cells: MatrixCell[] };
    expect(report.cells).toHaveLength(3);
    const markdown = await readFile(join(directory, 'matrix.md'), 'utf8');
    expect(markdown).toContain('| skill | cpu | cuda |');
    expect(markdown).toContain('| bert | passed | skipped: no NVIDIA driver \\| nvidia-smi not found |');
    expect(markdown).toContain('| sentence-embeddings | failed: batched differs | not run |');
  });
});
