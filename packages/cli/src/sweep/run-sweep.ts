import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Accel, AccelError, InvalidInputError, type BackendV1, type Dtype, type ModelStoreEvent, type SkillV1 } from '@accel/core';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';
import { summarize, type Summary } from './summarize.js';
import type { SweepMapEntry } from './sweep-map.js';

export type CellStatus = 'passed' | 'failed' | 'skipped';

/** What ran a cell, as its provenance says. */
export interface CellProvenance {
  readonly backend: string;
  readonly device: string;
  readonly dtype: Dtype;
  readonly runtime?: string;
  readonly isolation: 'worker' | 'inline';
  readonly threads?: number;
  readonly model: { readonly id: string; readonly directory: string; readonly revision?: string; readonly files: readonly string[] };
}

/** One model on one backend. */
export interface SweepCell {
  readonly backend: string;
  readonly status: CellStatus;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** The example's output, summarised (`summarize`). */
  readonly output?: Summary;
  readonly provenance?: CellProvenance;
  /** Milliseconds: the whole cell (load, run, dispose), the endpoint's load, and the request's inference and total. */
  readonly timings?: { readonly cellMs: number; readonly loadMs?: number; readonly inferenceMs?: number; readonly totalMs?: number };
  /** Process memory (bytes) before the cell, and after its registry was disposed. */
  readonly memory?: { readonly rssBeforeBytes: number; readonly rssAfterBytes: number; readonly heapUsedAfterBytes: number };
}

/** One map entry's collected results. */
export interface SweepEntryResult {
  readonly modelType: string;
  readonly model?: string;
  /** The skill that ran it. */
  readonly skill?: string;
  readonly packageName?: string;
  /** Every installed skill that serves this model_type. */
  readonly servedBy: readonly string[];
  /** Set when no skill ran the entry: why. */
  readonly unsupported?: string;
  /** The skill's standard example (`SkillV1.example`), summarised. */
  readonly example?: { readonly input: Summary; readonly options?: Summary };
  /** One per requested backend, in the order asked for. */
  readonly cells: readonly SweepCell[];
  readonly collectedAt: string;
}

/** A requested backend: ready to run, or skipped for every entry with the reason. */
export interface SweepBackend {
  readonly name: string;
  readonly backend?: BackendV1;
  readonly skipped?: string;
}

export interface SweepProgressEvent {
  readonly done: number;
  readonly total: number;
  readonly modelType: string;
  readonly backend: string;
  readonly status: CellStatus;
  readonly reason?: string;
  readonly milliseconds?: number;
}

export interface RunSweepOptions {
  readonly entries: readonly SweepMapEntry[];
  readonly skills: readonly SkillV1[];
  readonly backends: readonly SweepBackend[];
  readonly dtype?: Dtype;
  readonly threads?: number;
  readonly cacheDirectory?: string;
  readonly offline?: boolean;
  readonly onDownload?: (event: ModelStoreEvent) => void;
  readonly onCell?: (event: SweepProgressEvent) => void;
  /** Called with each entry's results as soon as they are complete (to write them before the next entry runs). */
  readonly onEntry?: (result: SweepEntryResult) => Promise<void> | void;
}

/** The backends `names` ask for, each made once and probed: an unknown name is an `InvalidInputError`; a missing or unavailable one is skipped with the reason. */
export async function prepareSweepBackends(names: readonly string[], threads: number | undefined): Promise<SweepBackend[]> {
  const slots: SweepBackend[] = [];
  for (const name of names) {
    const known = knownBackends.find((candidate) => candidate.name === name);
    if (known === undefined) throw new InvalidInputError({ reason: `--backends: unknown backend ${name} (known: ${knownBackends.map((candidate) => candidate.name).join(', ')})` });
    const imported = await importKnown<BackendFactory>(known);
    if ('missing' in imported) {
      slots.push({ name, skipped: imported.missing });
      continue;
    }
    const backend = imported.value(threads === undefined ? {} : { threads });
    const probe = await backend.probe();
    slots.push(probe.available ? { name, backend } : { name, skipped: probe.reason ?? 'the probe says unavailable and gives no reason' });
  }
  return slots;
}

/**
 * The skill that runs an entry, found through the skills' `modelTypes` (never a list of names):
 * the one the map names, else the only installed skill serving the type, else among several the
 * one named like the type (`bert` → skill `bert`), else the first by name.
 */
export function chooseSkill(entry: { modelType: string; skill?: string }, skills: readonly SkillV1[]): { skill: SkillV1; servedBy: string[] } | { unsupported: string; servedBy: string[] } {
  const servedBy = skills.filter((skill) => skill.modelTypes?.includes(entry.modelType) === true).map((skill) => skill.name);
  if (entry.skill !== undefined) {
    const named = skills.find((skill) => skill.name === entry.skill);
    if (named === undefined) return { unsupported: `the map names skill ${entry.skill}, which is not installed (npm install @accel/skill-${entry.skill})`, servedBy };
    if (named.modelTypes !== undefined && !named.modelTypes.includes(entry.modelType)) {
      return { unsupported: `skill ${named.name} does not serve model_type ${entry.modelType} (it serves ${named.modelTypes.join(', ')})`, servedBy };
    }
    return { skill: named, servedBy };
  }
  if (servedBy.length === 0) return { unsupported: `no installed skill serves model_type ${entry.modelType}`, servedBy };
  const sameName = servedBy.find((name) => name === entry.modelType.replaceAll('_', '-'));
  const name = sameName ?? [...servedBy].sort()[0]!;
  return { skill: skills.find((skill) => skill.name === name)!, servedBy };
}

function describe(error: unknown): string {
  if (AccelError.isInstance(error)) return error.toLine();
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}

async function configModelType(directory: string): Promise<string | undefined> {
  try {
    const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as { model_type?: unknown };
    return typeof config.model_type === 'string' ? config.model_type : undefined;
  } catch {
    return undefined;
  }
}

async function runCell(entry: { modelType: string; model: string }, skill: SkillV1, slot: SweepBackend & { backend: BackendV1 }, options: RunSweepOptions): Promise<SweepCell> {
  const rssBeforeBytes = process.memoryUsage().rss;
  const startedAt = performance.now();
  const accel = new Accel({
    backends: [slot.backend],
    skills: [skill],
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    models: {
      ...(options.offline ? { offline: true } : {}),
      ...(options.cacheDirectory === undefined ? {} : { cacheDirectory: options.cacheDirectory }),
      ...(options.onDownload ? { onProgress: options.onDownload } : {}),
    },
  });
  let cell: Omit<SweepCell, 'timings' | 'memory'> & { timings?: SweepCell['timings'] };
  try {
    // One request per cell: one copy of the model (`replicas: 'auto'` would load two of a small one).
    accel.addEndpoint({ skill, model: entry.model, backend: slot.name, dtype: options.dtype ?? 'fp32', replicas: 1 });
    const { output, provenance } = await accel.infer(skill, skill.example.input, skill.example.options as never);
    const ran: CellProvenance = {
      backend: provenance.backend,
      device: provenance.device,
      dtype: provenance.dtype,
      ...(provenance.runtime === undefined ? {} : { runtime: provenance.runtime }),
      isolation: provenance.isolation,
      ...(provenance.threads === undefined ? {} : { threads: provenance.threads }),
      model: { id: provenance.model.id, directory: provenance.model.directory, ...(provenance.model.revision ? { revision: provenance.model.revision } : {}), files: [...provenance.model.files] },
    };
    const timings = { loadMs: provenance.timings.endpointLoadMs, inferenceMs: provenance.timings.inferenceMs, totalMs: provenance.timings.totalMs };
    const declared = await configModelType(provenance.model.directory);
    const problem =
      provenance.backend !== slot.name
        ? `provenance says it ran on ${provenance.backend}, not ${slot.name}`
        : declared !== entry.modelType
          ? `the model's config.json says model_type ${declared ?? '(none)'}, the map says ${entry.modelType}`
          : undefined;
    const summary = summarize(output, { keepValuesUpTo: 4096 });
    cell = problem === undefined
      ? { backend: slot.name, status: 'passed', output: summary, provenance: ran, timings: { cellMs: 0, ...timings } }
      : { backend: slot.name, status: 'failed', reason: problem, output: summary, provenance: ran, timings: { cellMs: 0, ...timings } };
  } catch (error) {
    cell = { backend: slot.name, status: 'failed', reason: describe(error) };
  } finally {
    await accel.dispose();
  }
  const usage = process.memoryUsage();
  return {
    ...cell,
    timings: { ...cell.timings, cellMs: performance.now() - startedAt },
    memory: { rssBeforeBytes, rssAfterBytes: usage.rss, heapUsedAfterBytes: usage.heapUsed },
  };
}

/**
 * Runs every entry's skill example on every backend, one entry at a time: each cell gets its own
 * registry, disposed (endpoint and model released) before the next cell starts, so memory stays
 * flat across a long map. Unsupported entries and unavailable backends are recorded with the
 * reason; a failure is recorded with its error, never hidden.
 */
export async function runSweep(options: RunSweepOptions): Promise<SweepEntryResult[]> {
  const total = options.entries.length * options.backends.length;
  let done = 0;
  const results: SweepEntryResult[] = [];
  for (const entry of options.entries) {
    const collectedAt = new Date().toISOString();
    const chosen = entry.unsupported !== undefined ? { unsupported: entry.unsupported, servedBy: chooseSkill(entry, options.skills).servedBy } : chooseSkill(entry, options.skills);
    let result: SweepEntryResult;
    if ('unsupported' in chosen) {
      const cells = options.backends.map((slot): SweepCell => ({ backend: slot.name, status: 'skipped', reason: `unsupported: ${chosen.unsupported}` }));
      for (const cell of cells) options.onCell?.({ done: ++done, total, modelType: entry.modelType, backend: cell.backend, status: cell.status, ...(cell.reason ? { reason: cell.reason } : {}) });
      result = { modelType: entry.modelType, ...(entry.model === undefined ? {} : { model: entry.model }), servedBy: chosen.servedBy, unsupported: chosen.unsupported, cells, collectedAt };
    } else {
      const { skill } = chosen;
      const model = entry.model!;
      const cells: SweepCell[] = [];
      for (const slot of options.backends) {
        const cell = slot.backend === undefined ? { backend: slot.name, status: 'skipped' as const, reason: slot.skipped ?? 'unavailable' } : await runCell({ modelType: entry.modelType, model }, skill, { ...slot, backend: slot.backend }, options);
        cells.push(cell);
        options.onCell?.({
          done: ++done,
          total,
          modelType: entry.modelType,
          backend: cell.backend,
          status: cell.status,
          ...(cell.reason ? { reason: cell.reason } : {}),
          ...(cell.timings ? { milliseconds: cell.timings.cellMs } : {}),
        });
      }
      result = {
        modelType: entry.modelType,
        model,
        skill: skill.name,
        packageName: skill.packageName,
        servedBy: chosen.servedBy,
        example: {
          input: summarize(skill.example.input, { keepValuesUpTo: 0 }),
          ...(skill.example.options === undefined ? {} : { options: summarize(skill.example.options, { keepValuesUpTo: 0 }) }),
        },
        cells,
        collectedAt,
      };
    }
    results.push(result);
    await options.onEntry?.(result);
  }
  return results;
}
