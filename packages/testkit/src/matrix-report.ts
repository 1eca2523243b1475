import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Provenance } from '@accel/core';
import { findWorkspaceRoot } from './workspace-report-directory.js';

/** The only states a matrix cell has. */
export type CellStatus = 'passed' | 'failed' | 'skipped';

export interface CaseRecord {
  readonly name: string;
  readonly status: CellStatus;
  readonly error?: string;
  /** Why the case did not run (status `skipped`). */
  readonly reason?: string;
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
  /** The memory check's readings, when measured (see `measureMemoryGrowth`). */
  readonly memory?: {
    /** Unmeasured cycles before the measured ones (until RSS levels). */
    readonly warmUpCycles?: number;
    readonly cycles: number;
    /** RSS, last checkpoint of the cycles phase minus the first. */
    readonly growthBytes: number;
    /** Fitted RSS growth per add/remove cycle (over the last window), and its bound. */
    readonly perCycleBytes?: number;
    /** Every window's fitted growth per cycle, when the first exceeded the bound and a second was measured. */
    readonly perCycleWindows?: readonly number[];
    readonly perCycleBoundBytes?: number;
    readonly requests?: number;
    /** heapUsed + external, last checkpoint of the requests phase minus the first. */
    readonly requestGrowthBytes?: number;
    /** Fitted heapUsed + external growth per request (over the last window), and its bound. */
    readonly perRequestBytes?: number;
    /** Every window's fitted growth per request, when the first exceeded the bound and a second was measured. */
    readonly perRequestWindows?: readonly number[];
    readonly perRequestBoundBytes?: number;
    /** RSS growth over the requests phase, for information. */
    readonly requestRssGrowthBytes?: number;
    /** The readings the slopes were fitted to: RSS at each cycles checkpoint, heapUsed + external at each requests checkpoint. */
    readonly cycleRssBytes?: readonly number[];
    readonly requestHeapBytes?: readonly number[];
    /** Set when fewer cycles or requests ran than resolve the bounds: which, and why. */
    readonly reduced?: { readonly counts: string; readonly reason: string };
    /** Reports written before per-cycle and per-request bounds: one flat bound for each phase's RSS growth. */
    readonly boundBytes?: number;
  };
  /** Why this cell has no memory check (npm test's quick depth measures one backend per skill; see `memoryCheckDepth`). */
  readonly memoryNotMeasured?: string;
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

/** Machine folders that `relativizeMachinePaths` rewrites. */
export interface MachinePlaces {
  /** The repository (workspace) root: paths under it become relative to it (`.cache/models/…`, `node_modules/…`). */
  readonly root?: string;
  /** The temporary folder: becomes `<tmp>`. */
  readonly temporary?: string;
  /** The home folder: becomes `~`. */
  readonly home?: string;
}

/** This machine's places, for a report written into `directory` (the workspace root found from it, else from the working directory). */
export function machinePlaces(directory: string): MachinePlaces {
  const root = findWorkspaceRoot(directory) ?? findWorkspaceRoot();
  return { ...(root === undefined ? {} : { root }), temporary: tmpdir(), home: homedir() };
}

function escapeExpression(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites every absolute path under the repository root, the temporary folder or the home folder
 * in every string of `value` (deeply): `/ci/checkout/node_modules/x` → `node_modules/x`, the root
 * itself → `.`, `/tmp/fixture-1/a.png` → `<tmp>/fixture-1/a.png`, `/home/me/.cache` → `~/.cache`.
 * System paths (`/usr/local/cuda/lib`, `/proc/driver/nvidia`) are the same on every machine of a
 * kind and stay as they are. The longest place is tried first, so a root inside the temporary
 * folder is written relative to the root.
 */
export function relativizeMachinePaths<T>(value: T, places: MachinePlaces): T {
  const candidates: [string | undefined, string][] = [
    [places.root, ''],
    [places.temporary, '<tmp>'],
    [places.home, '~'],
  ];
  const rules = candidates
    .flatMap(([place, label]) => (place === undefined || resolve(place) === resolve('/') ? [] : [[resolve(place), label] as const]))
    .sort((left, right) => right[0].length - left[0].length)
    .map(([place, label]) => ({ pattern: new RegExp(`(?<![\\w./~-])${escapeExpression(place)}(/|(?![\\w-]|\\.[\\w-]))`, 'g'), label }));
  const rewrite = (text: string) =>
    rules.reduce(
      (current, { pattern, label }) => current.replace(pattern, (_match, slash: string) => (label === '' ? (slash === '/' ? '' : '.') : `${label}${slash}`)),
      text,
    );
  const visit = (item: unknown): unknown => {
    if (typeof item === 'string') return rewrite(item);
    if (Array.isArray(item)) return item.map(visit);
    if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, visit(entry)]));
    return item;
  };
  return visit(value) as T;
}

/**
 * Records one cell under `<directory>/cells/` and rewrites `matrix.json` and `matrix.md` from
 * every recorded cell. Each file is replaced atomically, so concurrent test processes never
 * leave a torn report. Machine paths are written relative to the repository (`relativizeMachinePaths`).
 */
export async function recordMatrixCell(directory: string, cell: MatrixCell, places: MachinePlaces = machinePlaces(directory)): Promise<void> {
  const cellsDirectory = join(directory, 'cells');
  await mkdir(cellsDirectory, { recursive: true });
  await writeAtomically(join(cellsDirectory, cellFileName(cell)), `${JSON.stringify(relativizeMachinePaths(cell, places), null, 2)}\n`);
  await writeMatrixReport(directory, places);
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

/** Rewrites `matrix.json` and `matrix.md` from the recorded cells, with machine paths made relative. */
export async function writeMatrixReport(directory: string, places: MachinePlaces = machinePlaces(directory)): Promise<MatrixReport> {
  const cells = relativizeMachinePaths(await readMatrixCells(directory), places);
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
  if (cell.status === 'passed') return cell.memory?.reduced ? `passed (reduced: ${cell.memory.reduced.counts})` : 'passed';
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

function formatSize(bytes: number): string {
  const magnitude = Math.abs(bytes);
  if (magnitude >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (magnitude >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

function memoryText(memory: NonNullable<MatrixCell['memory']>): string {
  if (memory.perCycleBytes === undefined || memory.perRequestBytes === undefined) {
    return (
      `RSS grew ${formatBytes(memory.growthBytes)} over ${memory.cycles} add/remove cycles` +
      (memory.requests === undefined ? '' : ` and ${formatBytes(memory.requestGrowthBytes ?? 0)} over ${memory.requests} requests`) +
      (memory.boundBytes === undefined ? '' : ` (bound ${formatBytes(memory.boundBytes)} each)`)
    );
  }
  return (
    `RSS ${formatSize(memory.perCycleBytes)} per add/remove cycle over ${memory.cycles} cycles after ${memory.warmUpCycles ?? '?'} to warm up (bound ${formatSize(memory.perCycleBoundBytes ?? 0)}); ` +
    `heap + external ${formatSize(memory.perRequestBytes)} per request over ${memory.requests} requests (bound ${formatSize(memory.perRequestBoundBytes ?? 0)})` +
    (memory.perCycleWindows ? `; per cycle, window by window: ${memory.perCycleWindows.map(formatSize).join(', ')}` : '') +
    (memory.perRequestWindows ? `; per request, window by window: ${memory.perRequestWindows.map(formatSize).join(', ')}` : '') +
    (memory.reduced ? `; reduced: ${memory.reduced.counts}, because ${memory.reduced.reason}` : '')
  );
}

const parityCaseName = 'matches the reference backend on the same inputs and model';

/**
 * What a report says against itself: a case `passed` whose cell says it did not run (parity
 * skipped, no memory readings), a passed cell with a failed or no case, a skip without a reason.
 * Empty for an honest report.
 */
export function findMatrixContradictions(report: Pick<MatrixReport, 'cells'>): string[] {
  const problems: string[] = [];
  for (const cell of report.cells) {
    const where = `${cell.skill} on ${cell.backend}`;
    if (cell.status !== 'passed' && !cell.reason) problems.push(`${where}: ${cell.status} without a reason`);
    if (cell.status === 'passed' && cell.cases.length === 0) problems.push(`${where}: passed without running any case`);
    if (cell.status === 'passed' && cell.cases.some((entry) => entry.status === 'failed')) problems.push(`${where}: passed with a failed case`);
    if (cell.status === 'passed' && !cell.cases.some((entry) => entry.status === 'passed')) problems.push(`${where}: passed though every case was skipped`);
    for (const entry of cell.cases) {
      const name = `${where}, case "${entry.name}"`;
      if (entry.status === 'skipped' && !entry.reason) problems.push(`${name}: skipped without a reason`);
      if (entry.status !== 'passed') continue;
      if (/^skipped\b|\(skipped\b/i.test(entry.name)) problems.push(`${name}: passed, but its name says it was skipped`);
      if (entry.name === parityCaseName && cell.parity?.status !== 'passed') {
        problems.push(`${name}: passed, but the cell's parity is ${cell.parity ? `${cell.parity.status}${cell.parity.reason ? ` (${cell.parity.reason})` : ''}` : 'absent'}`);
      }
      if (/^memory\b|add\/remove cycles/.test(entry.name)) {
        const memory = cell.memory;
        if (memory === undefined) problems.push(`${name}: passed, but the cell has no memory readings`);
        else if (memory.perCycleBytes !== undefined && memory.perCycleBoundBytes !== undefined && memory.perCycleBytes > memory.perCycleBoundBytes) {
          problems.push(`${name}: passed, but RSS grew ${memory.perCycleBytes} B per cycle, above its bound ${memory.perCycleBoundBytes} B`);
        } else if (memory.perRequestBytes !== undefined && memory.perRequestBoundBytes !== undefined && memory.perRequestBytes > memory.perRequestBoundBytes) {
          problems.push(`${name}: passed, but the heap grew ${memory.perRequestBytes} B per request, above its bound ${memory.perRequestBoundBytes} B`);
        }
      }
    }
  }
  return problems;
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
    'Written by the conformance kit (`@accel/testkit`); `npm run matrix` regenerates this copy. A',
    'cell is `passed`, `failed: <reason>` or `skipped: <reason>`; there are no other states, and',
    '`passed (reduced: …)` marks a memory check that ran fewer cycles or requests than resolve its',
    'bounds. The parity column compares each backend with cpu on the same inputs and model (numbers',
    'within the stated tolerance; text and token ids identical). Paths are relative to the repository',
    '(`<tmp>` is the temporary folder).',
    '',
    `| skill | ${backends.join(' | ')} | parity |`,
    `| --- | ${backends.map(() => '---').join(' | ')} | --- |`,
    ...skills.map((skill) => `| ${skill} | ${backends.map((backend) => cellText(lookup(skill, backend))).join(' | ')} | ${parityText(skill)} |`),
    '',
    '## Why cells were skipped or failed',
    '',
    ...report.cells.filter((cell) => cell.status !== 'passed').map((cell) => `- **${cell.skill} on ${cell.backend}** (${cell.status}): ${cell.reason ?? 'no reason recorded'}`),
    '',
    '## Memory',
    '',
    'After a warm-up, RSS is read at 8 checkpoints over the add/remove cycles and `heapUsed + external`',
    'at 8 checkpoints over the requests (on an inline endpoint); the growth per cycle and per request is',
    'the Theil–Sen slope over those readings.',
    '',
    '| skill | backend | warm-up cycles | cycles | RSS per cycle (bound) | requests | heap per request (bound) | reduced because |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.cells
      .filter((cell) => cell.memory?.perCycleBytes !== undefined)
      .map(({ skill, backend, memory }) =>
        `| ${skill} | ${backend} | ${memory!.warmUpCycles ?? '?'} | ${memory!.cycles} | ${formatSize(memory!.perCycleBytes!)} (${formatSize(memory!.perCycleBoundBytes ?? 0)}) | ${memory!.requests ?? 0} | ` +
        `${formatSize(memory!.perRequestBytes ?? 0)} (${formatSize(memory!.perRequestBoundBytes ?? 0)}) | ${memory!.reduced ? escapeCell(memory!.reduced.reason) : '–'} |`,
      ),
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
      ...(cell.memory ? [`- memory: ${memoryText(cell.memory)}`] : []),
      ...(cell.memoryNotMeasured ? [`- memory: not measured here: ${cell.memoryNotMeasured}`] : []),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
