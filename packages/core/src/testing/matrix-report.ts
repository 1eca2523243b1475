import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Provenance } from '../provenance/provenance.js';

/** The only states a matrix cell has. */
export type CellStatus = 'passed' | 'failed' | 'skipped';

export interface CaseRecord {
  readonly name: string;
  readonly status: CellStatus;
  readonly error?: string;
}

/** One skill × backend result of a conformance run. */
export interface MatrixCell {
  readonly skill: string;
  readonly backend: string;
  readonly backendPackage: string;
  readonly status: CellStatus;
  /** Why the cell is skipped or failed. */
  readonly reason?: string;
  readonly cases: readonly CaseRecord[];
  /** Resident memory growth over repeated add/remove cycles, when measured. */
  readonly memory?: {
    readonly cycles: number;
    readonly growthBytes: number;
    readonly requests?: number;
    readonly requestGrowthBytes?: number;
    readonly boundBytes: number;
  };
  readonly example?: { readonly input: string; readonly output: string; readonly provenance: Provenance };
  /** Agreement with the reference backend (cpu) on the same inputs and model. */
  readonly parity?: {
    readonly reference: string;
    readonly status: CellStatus;
    readonly largestDifference?: number;
    readonly tolerance: number;
    readonly reason?: string;
  };
  readonly recordedAt: string;
}

export interface MatrixReport {
  readonly generatedAt: string;
  readonly cells: readonly MatrixCell[];
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

function cellFileName(cell: Pick<MatrixCell, 'skill' | 'backend'>): string {
  return `${cell.skill}__${cell.backend}.json`.replace(/[^\w.-]/g, '_');
}

/**
 * Records one cell under `<directory>/cells/` and rewrites `matrix.json` and `matrix.md` from
 * every recorded cell. Each file is replaced atomically, so concurrent test processes never
 * leave a torn report.
 */
export async function recordMatrixCell(directory: string, cell: MatrixCell): Promise<void> {
  const cellsDirectory = join(directory, 'cells');
  await mkdir(cellsDirectory, { recursive: true });
  await writeAtomically(join(cellsDirectory, cellFileName(cell)), `${JSON.stringify(cell, null, 2)}\n`);
  await writeMatrixReport(directory);
}

export async function readMatrixCells(directory: string): Promise<MatrixCell[]> {
  const cellsDirectory = join(directory, 'cells');
  let names: string[];
  try {
    names = (await readdir(cellsDirectory)).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const cells: MatrixCell[] = [];
  for (const name of names.sort()) {
    try {
      cells.push(JSON.parse(await readFile(join(cellsDirectory, name), 'utf8')) as MatrixCell);
    } catch {
      await rm(join(cellsDirectory, name), { force: true });
    }
  }
  return cells;
}

/** Rewrites `matrix.json` and `matrix.md` from the recorded cells. */
export async function writeMatrixReport(directory: string): Promise<MatrixReport> {
  const cells = await readMatrixCells(directory);
  const report: MatrixReport = { generatedAt: new Date().toISOString(), cells };
  await writeAtomically(join(directory, 'matrix.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomically(join(directory, 'matrix.md'), renderMatrixMarkdown(report));
  return report;
}

const backendOrder = ['cpu', 'wasm', 'cuda', 'openvino'];

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function cellText(cell: MatrixCell | undefined): string {
  if (cell === undefined) return 'not run';
  if (cell.status === 'passed') return 'passed';
  const reason = cell.reason ?? 'no reason recorded';
  const short = reason.length > 100 ? `${reason.slice(0, 97).replace(/[;,]?\s*\S*$/, '')} …` : reason;
  return `${cell.status}: ${escapeCell(short)}`;
}

function formatNumber(value: number): string {
  return value === 0 ? '0' : value.toExponential(1);
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function renderMatrixMarkdown(report: MatrixReport): string {
  const skills = [...new Set(report.cells.map((cell) => cell.skill))].sort();
  const backends = [...new Set(report.cells.map((cell) => cell.backend))].sort(
    (left, right) => (backendOrder.indexOf(left) + 1 || 99) - (backendOrder.indexOf(right) + 1 || 99) || left.localeCompare(right),
  );
  const lookup = (skill: string, backend: string) => report.cells.find((cell) => cell.skill === skill && cell.backend === backend);
  const parityText = (skill: string) => {
    const checked = report.cells.filter((cell) => cell.skill === skill && cell.parity !== undefined && cell.parity.reason !== 'this is the reference backend');
    if (checked.length === 0) return 'not run';
    return checked
      .map(({ backend, parity }) =>
        parity!.status === 'passed'
          ? `${backend} ≈ ${parity!.reference} (largest difference ${formatNumber(parity!.largestDifference ?? 0)} ≤ ${formatNumber(parity!.tolerance)})`
          : `${backend}: ${parity!.status}${parity!.reason ? `: ${escapeCell(parity!.reason)}` : ''}`,
      )
      .join('; ');
  };
  const lines = [
    '# Conformance matrix',
    '',
    'Written by the conformance kit (`@accel/core/testing`) on every test run. A cell is',
    '`passed`, `failed: <reason>` or `skipped: <reason>`; there are no other states. The parity',
    'column compares each backend with cpu on the same inputs and model (numbers within the stated',
    'tolerance; text and token ids identical).',
    '',
    `| skill | ${backends.join(' | ')} | parity |`,
    `| --- | ${backends.map(() => '---').join(' | ')} | --- |`,
    ...skills.map((skill) => `| ${skill} | ${backends.map((backend) => cellText(lookup(skill, backend))).join(' | ')} | ${parityText(skill)} |`),
    '',
    '## Why cells were skipped or failed',
    '',
    ...report.cells.filter((cell) => cell.status !== 'passed').map((cell) => `- **${cell.skill} on ${cell.backend}** (${cell.status}): ${cell.reason ?? 'no reason recorded'}`),
    '',
    '## Examples',
    '',
  ];
  for (const cell of report.cells) {
    if (cell.example === undefined) continue;
    const { provenance } = cell.example;
    lines.push(
      `### ${cell.skill} on ${cell.backend}`,
      '',
      `- input: \`${cell.example.input}\``,
      `- output: ${cell.example.output}`,
      `- ran on: backend \`${provenance.backend}\`, device \`${provenance.device}\`, dtype \`${provenance.dtype}\`${provenance.runtime ? `, ${provenance.runtime}` : ''}`,
      `- model files: ${provenance.model.files.map((file) => `\`${file}\``).join(', ')}`,
      `- fallbacks: ${provenance.fallbacks.length === 0 ? 'none' : provenance.fallbacks.map((step) => `${step.from} → ${step.to}: ${step.reason}`).join('; ')}`,
      ...(cell.memory
        ? [
            `- memory: RSS grew ${formatBytes(cell.memory.growthBytes)} over ${cell.memory.cycles} add/remove cycles` +
              (cell.memory.requests === undefined ? '' : ` and ${formatBytes(cell.memory.requestGrowthBytes ?? 0)} over ${cell.memory.requests} requests`) +
              ` (bound ${formatBytes(cell.memory.boundBytes)} each)`,
          ]
        : []),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
