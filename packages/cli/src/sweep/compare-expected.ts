import { isVectorSummary, type Summary, type VectorSummary } from './summarize.js';
import type { CellStatus, SweepEntryResult } from './run-sweep.js';

/**
 * How far a collected output may stray from the expected one before it counts as changed. Text,
 * token ids, labels and every other string or integer must be identical (the examples decode
 * greedily); other numbers may differ by `number` (absolute, plus the same relative to the expected
 * value); a vector must keep its type and length, point the same way (cosine ≥ `cosine`) and each
 * value stay within `number` of the expected one, scaled by the vector's largest magnitude.
 */
export const sweepTolerance = { number: 1e-3, cosine: 0.9999 } as const;

/** A cell as the expected files keep it: no timings, memory, dates, folders or thread counts. */
export interface ExpectedCell {
  readonly status: CellStatus;
  /** Why it failed, or why its entry is unsupported, for the reader; not compared. A backend's skip reason is left out: it names this machine's paths and versions. */
  readonly reason?: string;
  readonly output?: Summary;
  readonly provenance?: { readonly backend: string; readonly device: string; readonly dtype: string; readonly files: readonly string[] };
}

/** One entry's expected results: `collected` without its variable data. */
export interface ExpectedEntry {
  readonly modelType: string;
  readonly model?: string;
  readonly skill?: string;
  readonly unsupported?: string;
  readonly example?: SweepEntryResult['example'];
  readonly cells: { readonly [backend: string]: ExpectedCell };
}

/** The expected form of collected results, as `--update-expected` writes it. */
export function toExpected(result: SweepEntryResult): ExpectedEntry {
  const cells: Record<string, ExpectedCell> = {};
  for (const cell of result.cells) {
    cells[cell.backend] = {
      status: cell.status,
      // A backend's probe reason names this machine's paths and versions; a failure's or an unsupported type's reason does not churn.
      ...(cell.reason === undefined || (cell.status === 'skipped' && result.unsupported === undefined) ? {} : { reason: cell.reason }),
      ...(cell.output === undefined ? {} : { output: cell.output }),
      ...(cell.provenance === undefined
        ? {}
        : { provenance: { backend: cell.provenance.backend, device: cell.provenance.device, dtype: cell.provenance.dtype, files: [...cell.provenance.model.files].sort() } }),
    };
  }
  return {
    modelType: result.modelType,
    ...(result.model === undefined ? {} : { model: result.model }),
    ...(result.skill === undefined ? {} : { skill: result.skill }),
    ...(result.unsupported === undefined ? {} : { unsupported: result.unsupported }),
    ...(result.example === undefined ? {} : { example: result.example }),
    cells,
  };
}

function isInteger(value: number): boolean {
  return Number.isInteger(value);
}

function numbersDiffer(actual: number, expected: number): boolean {
  if (isInteger(actual) && isInteger(expected)) return actual !== expected;
  return !(Math.abs(actual - expected) <= sweepTolerance.number + sweepTolerance.number * Math.abs(expected));
}

function describeSummary(value: Summary | undefined): string {
  if (value === undefined) return 'nothing';
  if (isVectorSummary(value)) return `${value.type}(${value.length})`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function vectorDifference(actual: VectorSummary, expected: VectorSummary, path: string): string | undefined {
  if (actual.type !== expected.type || actual.length !== expected.length) return `${path}: ${actual.type}(${actual.length}) where ${expected.type}(${expected.length}) was expected`;
  const scale = Math.max(1, ...(expected.values ?? expected.first).map(Math.abs));
  if (actual.values !== undefined && expected.values !== undefined) {
    let dot = 0;
    let largest = 0;
    let at = 0;
    for (let index = 0; index < expected.values.length; index += 1) {
      const difference = Math.abs(actual.values[index]! - expected.values[index]!);
      if (difference > largest) [largest, at] = [difference, index];
      dot += actual.values[index]! * expected.values[index]!;
    }
    const cosine = actual.norm > 0 && expected.norm > 0 ? dot / (actual.norm * expected.norm) : actual.norm === expected.norm ? 1 : 0;
    if (cosine < sweepTolerance.cosine) return `${path}: cosine similarity ${cosine.toFixed(6)} with the expected vector (< ${sweepTolerance.cosine})`;
    if (largest > sweepTolerance.number * scale) return `${path}[${at}]: ${actual.values[at]} vs ${expected.values[at]} (difference ${largest.toExponential(2)} > ${(sweepTolerance.number * scale).toExponential(2)})`;
    return undefined;
  }
  for (let index = 0; index < Math.min(actual.first.length, expected.first.length); index += 1) {
    if (Math.abs(actual.first[index]! - expected.first[index]!) > sweepTolerance.number * scale) return `${path}[${index}]: ${actual.first[index]} vs ${expected.first[index]}`;
  }
  if (Math.abs(actual.norm - expected.norm) > sweepTolerance.number * Math.max(1, expected.norm)) return `${path}: norm ${actual.norm} vs ${expected.norm}`;
  return undefined;
}

/** Where `actual` differs from `expected` beyond `sweepTolerance`, each as `path: what`; empty when they agree. */
export function summaryDifferences(actual: Summary | undefined, expected: Summary | undefined, path = 'output'): string[] {
  if (expected === undefined || actual === undefined) return actual === expected ? [] : [`${path}: ${describeSummary(actual)} where ${describeSummary(expected)} was expected`];
  if (isVectorSummary(expected) || isVectorSummary(actual)) {
    if (!isVectorSummary(expected) || !isVectorSummary(actual)) return [`${path}: ${describeSummary(actual)} where ${describeSummary(expected)} was expected`];
    const difference = vectorDifference(actual, expected, path);
    return difference === undefined ? [] : [difference];
  }
  if (typeof expected === 'number' && typeof actual === 'number') return numbersDiffer(actual, expected) ? [`${path}: ${actual} where ${expected} was expected`] : [];
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return [`${path}: ${describeSummary(actual)} where ${describeSummary(expected)} was expected`];
    if (actual.length !== expected.length) return [`${path}: ${actual.length} items where ${expected.length} were expected (${describeSummary(actual)} vs ${describeSummary(expected)})`];
    return expected.flatMap((item: Summary, index: number) => summaryDifferences(actual[index], item, `${path}[${index}]`));
  }
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    const expectedRecord = expected as Record<string, Summary>;
    const actualRecord = actual as Record<string, Summary>;
    return keys.flatMap((key) => summaryDifferences(actualRecord[key], expectedRecord[key], `${path}.${key}`));
  }
  return actual === expected ? [] : [`${path}: ${describeSummary(actual)} where ${describeSummary(expected)} was expected`];
}

export interface EntryComparison {
  readonly modelType: string;
  /** Each makes the sweep exit 1. */
  readonly regressions: readonly string[];
  /** Changes for the better, or things not compared (printed, not failing). */
  readonly notes: readonly string[];
}

const shownDifferences = 3;

/**
 * Compares one entry's collected results with its expected ones, ignoring variable data (timings,
 * memory, dates, folders, reasons' wording, output values within `sweepTolerance`). A regression
 * is: no expected result; an entry that ran becoming unsupported or changing skill; a changed
 * example; a cell that passed no longer passing; a cell failing that was not failing; a passing
 * cell whose provenance names another backend, device, dtype or files than expected, or whose
 * output changed beyond tolerance.
 */
export function compareEntry(collected: SweepEntryResult, expected: ExpectedEntry | undefined): EntryComparison {
  const regressions: string[] = [];
  const notes: string[] = [];
  const result = { modelType: collected.modelType, regressions, notes };
  if (expected === undefined) {
    regressions.push('no expected result for this model_type (record one on purpose with --update-expected)');
    return result;
  }
  if (collected.unsupported !== undefined) {
    if (expected.unsupported === undefined) regressions.push(`ran with skill ${expected.skill ?? '?'} before, now unsupported: ${collected.unsupported}`);
    return result;
  }
  if (expected.unsupported !== undefined) notes.push(`was unsupported (${expected.unsupported}), now runs with skill ${collected.skill ?? '?'}`);
  else if (expected.skill !== collected.skill) regressions.push(`runs with skill ${collected.skill ?? '?'}, expected ${expected.skill ?? '?'}`);
  if (expected.model !== undefined && expected.model !== collected.model) notes.push(`model ${collected.model ?? '?'}, expected ${expected.model}`);
  if (expected.example !== undefined) {
    const changed = summaryDifferences(collected.example as Summary | undefined, expected.example as Summary, 'example');
    if (changed.length > 0) regressions.push(`skill ${collected.skill ?? '?'}'s example changed since the expected results were recorded (${changed[0]})`);
  }
  for (const cell of collected.cells) {
    const wanted = expected.cells[cell.backend];
    const where = `${cell.backend}:`;
    if (wanted === undefined) {
      notes.push(`${where} no expected cell (${cell.status})`);
      continue;
    }
    const now = `${cell.status}${cell.reason ? `: ${cell.reason}` : ''}`;
    if (wanted.status === 'passed' && cell.status !== 'passed') {
      regressions.push(`${where} passed → ${now}`);
      continue;
    }
    if (cell.status === 'failed' && wanted.status !== 'failed') {
      regressions.push(`${where} ${wanted.status} → ${now}`);
      continue;
    }
    if (cell.status === 'passed' && wanted.status !== 'passed') {
      notes.push(`${where} ${wanted.status} → passed (no expected output to compare with)`);
      continue;
    }
    if (cell.status !== 'passed') continue;
    const ran = cell.provenance;
    const wantedRan = wanted.provenance;
    if (ran === undefined) {
      regressions.push(`${where} passed without a provenance`);
      continue;
    }
    if (ran.backend !== cell.backend) regressions.push(`${where} provenance names backend ${ran.backend}`);
    if (wantedRan !== undefined) {
      for (const key of ['backend', 'device', 'dtype'] as const) {
        if (ran[key] !== wantedRan[key]) regressions.push(`${where} provenance ${key} ${ran[key]}, expected ${wantedRan[key]}`);
      }
      // Which files, not in which order: sessions a skill opens on demand (CLIP's towers) load side by side.
      const loaded = [...ran.model.files].sort();
      const wantedFiles = [...wantedRan.files].sort();
      if (JSON.stringify(loaded) !== JSON.stringify(wantedFiles)) regressions.push(`${where} loaded ${loaded.join(', ')}, expected ${wantedFiles.join(', ')}`);
    }
    const differences = summaryDifferences(cell.output, wanted.output);
    for (const difference of differences.slice(0, shownDifferences)) regressions.push(`${where} output changed: ${difference}`);
    if (differences.length > shownDifferences) regressions.push(`${where} output changed: … and ${differences.length - shownDifferences} more differences`);
  }
  return result;
}
