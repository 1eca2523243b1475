import { resolve } from 'node:path';
import { InvalidInputError, isDtype } from '@accel/core';
import { globalFlags, parseCommandLine, positiveInteger, type FlagTable } from '../command-line.js';
import { createDownloadProgress, type DownloadProgressOutput } from '../download-progress.js';
import { knownBackends } from '../known-packages.js';
import { installedSkills } from '../skill-packages.js';
import { compareEntry, sweepTolerance, toExpected, type EntryComparison } from '../sweep/compare-expected.js';
import { prepareSweepBackends, runSweep, type SweepEntryResult } from '../sweep/run-sweep.js';
import { createSweepProgress } from '../sweep/sweep-progress.js';
import { filterSweepMap, readSweepMap } from '../sweep/sweep-map.js';
import { readExpected, renderSweepMarkdown, summarizeSweep, writeEntry, writeExpectedFolder, writeSweepFiles } from '../sweep/sweep-report.js';

/** Flags of `accel sweep`. */
export const sweepFlags = {
  ...globalFlags,
  map: { type: 'string' },
  backends: { type: 'string' },
  out: { type: 'string' },
  expect: { type: 'string' },
  'update-expected': { type: 'boolean', default: false },
  only: { type: 'string' },
  skip: { type: 'string' },
  dtype: { type: 'string', default: 'fp32' },
  threads: { type: 'string' },
  'cache-dir': { type: 'string' },
  offline: { type: 'boolean', default: false },
} as const satisfies FlagTable;

const defaultBackends = knownBackends.map((known) => known.name);

/** `accel sweep --help`. */
export const sweepHelp = `usage: accel sweep --map FILE [--backends ${defaultBackends.join(',')}] [--out DIR] [--expect DIR [--update-expected]]
                   [--only T1,T2] [--skip T1,T2] [--dtype fp32] [--cache-dir DIR] [--offline] [--json]

For each entry of a map from config.json model_type to a checkpoint (mapped-models.json in the
repository), finds the installed skill that serves the type (its modelTypes), resolves the model
(a folder, the cache, or a download), and runs the skill's standard example on every backend, one
entry at a time, releasing each model before the next. Writes one JSON per entry, sweep.json and
sweep.md (a model × backend table) to --out. A backend that cannot run here is skipped with its
probe's reason; a type no skill serves is unsupported with the reason.

options:
  --map              the map: { "<model_type>": "<hub id or ./folder>" | { "model", "skill" } | { "unsupported": "why" } }
  --backends         comma-separated backends (default: ${defaultBackends.join(',')})
  --out              where the collected results go (default: reports/sweep)
  --expect           compare with the expected results in this folder, ignoring timings, memory, dates and
                     output values within tolerance (numbers ${sweepTolerance.number}, vectors cosine ≥ ${sweepTolerance.cosine}; text, token ids
                     and labels exactly); exit 1 on any regression: a cell that passed now failed or skipped,
                     a cell failing that did not, an output changed, provenance naming another backend
  --update-expected  rewrite the --expect folder from this sweep, on purpose (exit 0)
  --only, --skip     comma-separated model types to run, or to leave out
  --dtype            fp32 (default), fp16, q8, int8, uint8, q4
  --threads          intra-op threads for each backend (default: all cores)
  --cache-dir        model cache folder (default: $ACCEL_CACHE_DIR or ~/.cache/accel/models)
  --offline          never download a missing model (the cell fails with ACCEL_MODEL_NOT_FOUND)
  --json             print sweep.json instead of the table
  --verbose          print stack traces with errors

exit code: with --expect, 1 when there is a regression; without it, 1 when a cell failed; else 0.
`;

export interface SweepIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where the progress bar and download progress go. */
  readonly progress: DownloadProgressOutput;
}

function list(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `accel sweep`: returns the exit code. */
export async function sweepCommand(argv: readonly string[], io: SweepIo): Promise<number> {
  const { values } = parseCommandLine(argv, sweepFlags, 'accel sweep');
  if (values.help === true) {
    io.stdout(sweepHelp);
    return 0;
  }
  if (typeof values.map !== 'string') throw new InvalidInputError({ reason: 'accel sweep needs --map FILE, e.g. accel sweep --map mapped-models.json (accel sweep --help)' });
  const dtype = values.dtype;
  if (!isDtype(dtype)) throw new InvalidInputError({ reason: `unknown dtype ${String(dtype)}` });
  if (values['update-expected'] === true && typeof values.expect !== 'string') throw new InvalidInputError({ reason: '--update-expected needs --expect DIR: the folder to rewrite' });
  const threads = positiveInteger(typeof values.threads === 'string' ? values.threads : undefined, 'threads');
  const backendNames = list(values.backends) ?? defaultBackends;
  if (backendNames.length === 0) throw new InvalidInputError({ reason: '--backends names no backend' });
  const only = list(values.only);
  const skip = list(values.skip);
  const entries = filterSweepMap(await readSweepMap(values.map), only, skip);
  const outDirectory = resolve(typeof values.out === 'string' ? values.out : 'reports/sweep');
  const expectDirectory = typeof values.expect === 'string' ? resolve(values.expect) : undefined;

  const startedAt = new Date().toISOString();
  const skills = await installedSkills();
  const backends = await prepareSweepBackends(backendNames, threads);
  const bar = createSweepProgress(io.progress);
  const downloads = createDownloadProgress(io.progress);
  const results: SweepEntryResult[] = await runSweep({
    entries,
    skills,
    backends,
    dtype,
    ...(threads === undefined ? {} : { threads }),
    ...(typeof values['cache-dir'] === 'string' ? { cacheDirectory: values['cache-dir'] } : {}),
    offline: values.offline === true,
    onDownload: (event) => {
      bar.pause();
      downloads.update(event);
    },
    onCell: (event) => {
      downloads.finish();
      bar.update(event);
    },
    onEntry: (result) => writeEntry(outDirectory, result),
  });
  bar.pause();

  let comparisons: EntryComparison[] | undefined;
  if (expectDirectory !== undefined) {
    comparisons = [];
    for (const result of results) comparisons.push(compareEntry(result, await readExpected(expectDirectory, result.modelType)));
  }
  const regressions = comparisons?.reduce((total, comparison) => total + comparison.regressions.length, 0) ?? 0;
  const summary = summarizeSweep(results, { map: values.map, startedAt, dtype, backends });
  const withComparison = comparisons === undefined || expectDirectory === undefined ? summary : { ...summary, comparison: { expect: typeof values.expect === 'string' ? values.expect : expectDirectory, regressions, entries: comparisons } };
  await writeSweepFiles(outDirectory, results, withComparison);

  const updating = values['update-expected'] === true && expectDirectory !== undefined;
  if (updating) await writeExpectedFolder(expectDirectory, results.map(toExpected), only === undefined && skip === undefined);

  if (values.json === true) io.stdout(JSON.stringify(withComparison, null, 2));
  else {
    io.stdout(renderSweepMarkdown(results, withComparison));
    io.stdout(`results: ${outDirectory}`);
  }
  if (updating) {
    io.stderr(`expected results rewritten in ${expectDirectory} (${results.length} model type${results.length === 1 ? '' : 's'})`);
    return 0;
  }
  if (comparisons !== undefined) {
    for (const comparison of comparisons) for (const regression of comparison.regressions) io.stderr(`regression: ${comparison.modelType}: ${regression}`);
    if (regressions > 0) io.stderr(`sweep: ${regressions} regression${regressions === 1 ? '' : 's'} against ${values.expect as string}`);
    return regressions > 0 ? 1 : 0;
  }
  return summary.counts.failed > 0 ? 1 : 0;
}
