import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultReportDirectory,
  findMatrixContradictions,
  findWorkspaceRoot,
  readMatrixCells,
  recordMatrixCell,
  relativizeMachinePaths,
  type MatrixCell,
} from '../src/index.js';

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

  it('writes machine paths relative to the repository, the temporary folder and home', async () => {
    const places = { root: '/tmp/ci3', temporary: '/tmp', home: '/home/runner' };
    const reason =
      'provider files missing from /tmp/ci3/node_modules/onnxruntime-node/bin/napi-v6/linux/x64; found libcudart.so.13 in /usr/local/cuda-13.0/lib; /proc/driver/nvidia absent';
    expect(relativizeMachinePaths(reason, places)).toBe(
      'provider files missing from node_modules/onnxruntime-node/bin/napi-v6/linux/x64; found libcudart.so.13 in /usr/local/cuda-13.0/lib; /proc/driver/nvidia absent',
    );
    expect(
      relativizeMachinePaths(
        {
          input: '{"images":["/tmp/skill-clip-P0IClZ/red.png"],"video":"/tmp/ci3x/walk"}',
          provenance: { model: { directory: '/tmp/ci3/.cache/models/tiny/prajjwal1/bert-tiny', files: ['onnx/model.onnx'] } },
          list: ['/tmp/ci3', '(/home/runner/.cache/accel/models)', '/opt/tmp/ci3/x', 'ran in /tmp/ci3.'],
          count: 3,
        },
        places,
      ),
    ).toEqual({
      input: '{"images":["<tmp>/skill-clip-P0IClZ/red.png"],"video":"<tmp>/ci3x/walk"}',
      provenance: { model: { directory: '.cache/models/tiny/prajjwal1/bert-tiny', files: ['onnx/model.onnx'] } },
      list: ['.', '(~/.cache/accel/models)', '/opt/tmp/ci3/x', 'ran in ..'],
      count: 3,
    });
  });

  it('records cells with relative paths', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'accel-matrix-'));
    await recordMatrixCell(directory, cell('bert', 'cuda', 'skipped', `missing from ${directory}/node_modules/x`), { root: directory });
    const text = await readFile(join(directory, 'matrix.json'), 'utf8');
    expect(text).not.toContain(directory);
    expect(JSON.parse(text).cells[0].reason).toBe('missing from node_modules/x');
    expect(await readFile(join(directory, 'matrix.md'), 'utf8')).toContain('- **bert on cuda** (skipped): missing from node_modules/x');
  });

  it('finds a case passed while its own cell says it did not run', () => {
    const passedCase = (name: string) => ({ name, status: 'passed' as const });
    const lifecycle = passedCase('add → init → infer (batch of 1 and of several) → remove');
    const parity = 'matches the reference backend on the same inputs and model';
    const phantom: MatrixCell = {
      ...cell('bert', 'cpu', 'passed'),
      cases: [lifecycle, passedCase(parity), passedCase('memory: RSS grows ≤ 1.00 MiB per add/remove cycle')],
      parity: { reference: 'cpu', status: 'skipped', tolerance: 1e-4, reason: 'this is the reference backend' },
    };
    expect(findMatrixContradictions({ cells: [phantom] })).toEqual([
      `bert on cpu, case "${parity}": passed, but the cell's parity is skipped (this is the reference backend)`,
      'bert on cpu, case "memory: RSS grows ≤ 1.00 MiB per add/remove cycle": passed, but the cell has no memory readings',
    ]);
    const honest: MatrixCell = {
      ...phantom,
      cases: [lifecycle, { name: parity, status: 'skipped', reason: 'this is the reference backend' }],
    };
    expect(findMatrixContradictions({ cells: [honest] })).toEqual([]);
    expect(
      findMatrixContradictions({
        cells: [
          { ...cell('clip', 'wasm', 'passed'), cases: [{ name: parity, status: 'skipped' }] },
          { ...cell('clip', 'cuda', 'skipped'), cases: [] },
          { ...cell('clip', 'cpu', 'passed'), cases: [lifecycle, { name: 'x', status: 'failed', error: 'no' }, passedCase('skipped: no driver')] },
          {
            ...cell('t5', 'cpu', 'passed'),
            cases: [passedCase('memory: bounded')],
            memory: { cycles: 50, growthBytes: 0, perCycleBytes: 2e6, perCycleBoundBytes: 1048576, requests: 2000, perRequestBytes: 0, perRequestBoundBytes: 1024 },
          },
        ],
      }),
    ).toEqual([
      'clip on wasm: passed though every case was skipped',
      `clip on wasm, case "${parity}": skipped without a reason`,
      'clip on cuda: skipped without a reason',
      'clip on cpu: passed with a failed case',
      'clip on cpu, case "skipped: no driver": passed, but its name says it was skipped',
      't5 on cpu, case "memory: bounded": passed, but RSS grew 2000000 B per cycle, above its bound 1048576 B',
    ]);
  });

  it('writes to the ignored .cache/reports/ unless ACCEL_REPORT_DIR says otherwise', () => {
    const root = findWorkspaceRoot(import.meta.dirname)!;
    expect(root).toBeDefined();
    const saved = process.env.ACCEL_REPORT_DIR;
    try {
      delete process.env.ACCEL_REPORT_DIR;
      expect(defaultReportDirectory()).toBe(join(root, '.cache', 'reports'));
      process.env.ACCEL_REPORT_DIR = 'reports';
      expect(defaultReportDirectory()).toBe(join(process.cwd(), 'reports'));
    } finally {
      if (saved === undefined) delete process.env.ACCEL_REPORT_DIR;
      else process.env.ACCEL_REPORT_DIR = saved;
    }
    expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['/.cache/', '/reports/cells/']));
  });
});
