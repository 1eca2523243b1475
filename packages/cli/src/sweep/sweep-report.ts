import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '@accel/core';
import type { EntryComparison, ExpectedEntry } from './compare-expected.js';
import type { SweepBackend, SweepCell, SweepEntryResult } from './run-sweep.js';

/** The file an entry's results go to: `<model_type>.json`, with anything but letters, digits, `.`, `_` and `-` replaced. */
export function entryFileName(modelType: string): string {
  return `${modelType.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/** `passed`, `failed: <reason>` or `skipped: <reason>`. */
export function cellText(cell: SweepCell): string {
  return cell.reason === undefined ? cell.status : `${cell.status}: ${cell.reason}`;
}

export interface SweepSummary {
  readonly map: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly dtype: string;
  readonly backends: ReadonlyArray<{ readonly name: string; readonly skipped?: string }>;
  readonly counts: { readonly entries: number; readonly served: number; readonly unsupported: number; readonly passed: number; readonly failed: number; readonly skipped: number };
  readonly entries: ReadonlyArray<{
    readonly modelType: string;
    readonly model?: string;
    readonly skill?: string;
    readonly unsupported?: string;
    readonly file: string;
    readonly cells: Readonly<Record<string, string>>;
    /** Process RSS after the entry's last registry was disposed: flat across entries when models are released. */
    readonly rssAfterBytes?: number;
  }>;
  readonly comparison?: { readonly expect: string; readonly regressions: number; readonly entries: readonly EntryComparison[] };
}

export function summarizeSweep(results: readonly SweepEntryResult[], context: { map: string; startedAt: string; dtype: string; backends: readonly SweepBackend[] }): SweepSummary {
  const cells = results.filter((result) => result.unsupported === undefined).flatMap((result) => result.cells);
  const count = (status: SweepCell['status']) => cells.filter((cell) => cell.status === status).length;
  return {
    map: context.map,
    startedAt: context.startedAt,
    finishedAt: new Date().toISOString(),
    dtype: context.dtype,
    backends: context.backends.map(({ name, skipped }) => ({ name, ...(skipped === undefined ? {} : { skipped }) })),
    counts: {
      entries: results.length,
      served: results.filter((result) => result.unsupported === undefined).length,
      unsupported: results.filter((result) => result.unsupported !== undefined).length,
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
    },
    entries: results.map((result) => {
      const rssAfterBytes = result.cells.at(-1)?.memory?.rssAfterBytes;
      return {
        modelType: result.modelType,
        ...(result.model === undefined ? {} : { model: result.model }),
        ...(result.skill === undefined ? {} : { skill: result.skill }),
        ...(result.unsupported === undefined ? {} : { unsupported: result.unsupported }),
        file: entryFileName(result.modelType),
        cells: Object.fromEntries(result.cells.map((cell) => [cell.backend, cellText(cell)])),
        ...(rssAfterBytes === undefined ? {} : { rssAfterBytes }),
      };
    }),
  };
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** `sweep.md`: a model × backend table, the reasons below it, and the comparison when there was one. */
export function renderSweepMarkdown(results: readonly SweepEntryResult[], summary: SweepSummary): string {
  const backendNames = summary.backends.map((backend) => backend.name);
  const everywhereSkipped = summary.backends.filter((backend) => backend.skipped !== undefined);
  const rows = results.map((result) => {
    const cells = backendNames.map((name) => {
      if (result.unsupported !== undefined) return '—';
      const cell = result.cells.find((candidate) => candidate.backend === name);
      return cell === undefined ? '—' : cell.status;
    });
    return `| ${result.modelType} | ${result.model === undefined ? '—' : `\`${result.model}\``} | ${result.unsupported === undefined ? (result.skill ?? '—') : `unsupported: ${escapeCell(result.unsupported)}`} | ${cells.join(' | ')} |`;
  });
  const reasons = results.flatMap((result) =>
    result.unsupported !== undefined
      ? []
      : result.cells
          .filter((cell) => cell.status !== 'passed' && !everywhereSkipped.some((backend) => backend.name === cell.backend))
          .map((cell) => `- ${result.modelType} × ${cell.backend}: ${escapeCell(cellText(cell))}`),
  );
  const { counts } = summary;
  const lines = [
    '# Mapped-models sweep',
    '',
    `Map \`${summary.map}\`, dtype ${summary.dtype}, ${summary.startedAt} to ${summary.finishedAt}. ${counts.entries} model types: ${counts.served} served by an installed skill, ${counts.unsupported} unsupported. Cells of served types: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped.`,
    '',
    `| model_type | checkpoint | skill | ${backendNames.join(' | ')} |`,
    `| --- | --- | --- | ${backendNames.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
    ...everywhereSkipped.map((backend) => `${backend.name}: skipped for every entry: ${escapeCell(backend.skipped!)}`),
    ...(everywhereSkipped.length > 0 ? [''] : []),
    ...(reasons.length > 0 ? ['## Failed and skipped cells', '', ...reasons, ''] : []),
  ];
  if (summary.comparison !== undefined) {
    const compared = summary.comparison.entries.filter((entry) => entry.regressions.length > 0 || entry.notes.length > 0);
    lines.push(
      '## Against the expected results',
      '',
      `Compared with \`${summary.comparison.expect}\`: ${summary.comparison.regressions} regression${summary.comparison.regressions === 1 ? '' : 's'}.`,
      '',
      ...compared.flatMap((entry) => [...entry.regressions.map((text) => `- ${entry.modelType}: regression: ${escapeCell(text)}`), ...entry.notes.map((text) => `- ${entry.modelType}: note: ${escapeCell(text)}`)]),
      ...(compared.length > 0 ? [''] : []),
    );
  }
  return lines.join('\n');
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

export async function writeEntry(directory: string, result: SweepEntryResult): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeJson(join(directory, entryFileName(result.modelType)), result);
}

export async function writeSweepFiles(directory: string, results: readonly SweepEntryResult[], summary: SweepSummary): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeJson(join(directory, 'sweep.json'), summary);
  await writeFile(join(directory, 'sweep.md'), `${renderSweepMarkdown(results, summary)}\n`);
}

/** The expected results of one model_type, or undefined when the folder has none; a file that is not JSON is an `InvalidInputError`. */
export async function readExpected(directory: string, modelType: string): Promise<ExpectedEntry | undefined> {
  const path = join(directory, entryFileName(modelType));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as ExpectedEntry;
  } catch (error) {
    throw new InvalidInputError({ reason: `--expect: ${path} is not JSON (${error instanceof Error ? error.message : String(error)})`, cause: error });
  }
}

/**
 * Rewrites the expected folder from `expected`. With `prune` (a sweep of the whole map), entry
 * files of model types no longer in the map are removed, so the folder matches the map.
 */
export async function writeExpectedFolder(directory: string, expected: readonly ExpectedEntry[], prune: boolean): Promise<void> {
  await mkdir(directory, { recursive: true });
  const keep = new Set(expected.map((entry) => entryFileName(entry.modelType)));
  if (prune) {
    for (const name of await readdir(directory)) if (name.endsWith('.json') && !keep.has(name)) await rm(join(directory, name));
  }
  for (const entry of expected) await writeJson(join(directory, entryFileName(entry.modelType)), entry);
}
