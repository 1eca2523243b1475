import type { ReplicasSetting } from './subjects/accel-subject.js';
import { open, readdir } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, platform, totalmem, arch } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidInputError, type BackendV1, type SkillV1 } from '@accel/core';
import type { AgreementResult } from './agreement.js';
import type { BackendAvailability, BenchResult, CellResult, CoServingResult, MachineDescription, PreprocessingResult, RunResult } from './bench-result.js';
import { fullSettings, quickSettings, smokeSettings, type BenchSettings } from './bench-settings.js';
import { benchBackends, probeBackends } from './backends.js';
import { measureCoServing } from './co-serving.js';
import { describeError } from './describe-error.js';
import { evaluateGoals } from './goals.js';
import { probeCellMemory } from './memory/memory-probe.js';
import { measureSubjects } from './measure-subjects.js';
import { canForge, ensureModel, type ModelSize } from './model-cache.js';
import type { BenchProfile, PreparedProfile } from './profiles/bench-profile.js';
import { benchProfiles } from './profiles/index.js';
import type { ProgressOutput } from './progress-bar.js';
import { computeRatios } from './ratios.js';
import { combineGoals, combineRatios } from './repeat.js';
import { transformersName } from './subjects/transformers-library.js';

export interface BenchOptions {
  readonly quick: boolean;
  /** Profile ids or skill names; default: every profile (or the quick subset). */
  readonly skills?: readonly string[];
  /** Backend names; default: every known backend. */
  readonly backends?: readonly string[];
  /** Model cache root; models go to `<cacheDirectory>` as `<owner>/<name>/`. */
  readonly cacheDirectory: string;
  /** `tiny` (tests) forges tiny models and samples as little as possible. */
  readonly size: ModelSize;
  /** The command line, for the report. */
  readonly command: string;
  /** Replicas of each accel endpoint (`--replicas`); default `auto`, the endpoint's default. */
  readonly replicas?: ReplicasSetting;
  /** Runs of the whole selection (`--repeat`); default 1. With more, goals are taken on the median of the runs. */
  readonly repeat?: number;
  readonly log: (message: string) => void;
  readonly progress: ProgressOutput;
}

function settingsFor(options: BenchOptions): BenchSettings {
  if (options.size === 'tiny') return smokeSettings;
  return options.quick ? quickSettings : fullSettings;
}

/** The profiles a run measures: `--skills` picks by profile id or else by skill name; `--quick` keeps the quick ones. */
export function selectProfiles(profiles: readonly BenchProfile[], options: Pick<BenchOptions, 'quick' | 'skills'>): BenchProfile[] {
  const wanted = options.skills;
  if (wanted !== undefined) {
    const unknown = wanted.filter((name) => !profiles.some((profile) => profile.id === name || profile.skill.name === name));
    if (unknown.length > 0) {
      throw new InvalidInputError({ reason: `unknown bench profile or skill ${unknown.join(', ')} (known: ${profiles.map((profile) => `${profile.id} (${profile.skill.name})`).join(', ')})` });
    }
    // A name that is a profile id picks that profile alone (`gpt2` is not also `gpt2-q8`); a skill name picks each of its profiles.
    const ids = new Set(profiles.map((profile) => profile.id));
    return profiles.filter((profile) => wanted.includes(profile.id) || wanted.some((name) => !ids.has(name) && name === profile.skill.name));
  }
  return options.quick ? profiles.filter((profile) => profile.quickBackends !== undefined) : [...profiles];
}

/** The machine the run is on, with the load average at the start (given) and now. */
export function describeMachine(loadAverageStart: number): MachineDescription {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    platform: `${platform()} ${arch()}`,
    node: process.version,
    loadAverageStart,
    loadAverageEnd: loadavg()[0] ?? 0,
  };
}

function skippedCell(profile: BenchProfile, backend: string, reason: string): CellResult {
  return { ...cellIdentity(profile, backend), status: 'skipped', reason, subjects: [], ratios: [] };
}

function cellIdentity(profile: BenchProfile, backend: string): Pick<CellResult, 'profile' | 'skill' | 'model' | 'family' | 'backend' | 'dtype'> {
  return { profile: profile.id, skill: profile.skill.name, model: profile.model, family: profile.family, backend, ...(profile.dtype ? { dtype: profile.dtype } : {}) };
}

async function measureCell(
  profile: BenchProfile,
  prepared: PreparedProfile,
  skill: SkillV1,
  backend: BackendV1,
  settings: BenchSettings,
  options: Pick<BenchOptions, 'log' | 'replicas'>,
): Promise<CellResult> {
  const { log } = options;
  log(`${profile.id} on ${backend.name}`);
  try {
    const subjects = [prepared.accel(skill, backend, { replicas: options.replicas ?? 'auto' }), ...(await prepared.peers(backend.name))];
    const results = await measureSubjects(subjects, {
      measures: settings.mode === 'quick' ? (profile.quickMeasures ?? profile.measures) : profile.measures,
      settings,
      ...(prepared.audioSeconds === undefined ? {} : { audioSeconds: prepared.audioSeconds }),
      log,
    });
    const accel = results.find((subject) => subject.role === 'accel');
    const failed = accel?.status !== 'measured';
    return {
      ...cellIdentity(profile, backend.name),
      status: failed ? 'failed' : 'measured',
      ...(failed ? { reason: `accel: ${accel?.reason ?? 'not measured'}` } : {}),
      subjects: results,
      ratios: computeRatios(results),
    };
  } catch (error) {
    return { ...skippedCell(profile, backend.name, describeError(error)), status: 'failed' };
  }
}

/** A quantized cell's agreement with fp32 (accel's outputs, untimed); a failure is reported, not thrown. */
async function agreementOf(prepared: PreparedProfile, skill: SkillV1, backend: BackendV1, profile: BenchProfile, options: Pick<BenchOptions, 'log'>): Promise<AgreementResult> {
  options.log(`  ${profile.id} on ${backend.name}: agreement of ${profile.dtype ?? 'fp32'} with fp32`);
  try {
    return await prepared.agreement!(skill, backend);
  } catch (error) {
    return { reference: 'fp32', measure: 'agreement with fp32', status: 'failed', reason: describeError(error) };
  }
}

/** accel's preprocessing of one input, timed alone once per profile; a failure is reported, not thrown. */
async function preprocessingOf(prepared: PreparedProfile, profile: BenchProfile, options: Pick<BenchOptions, 'log'>): Promise<PreprocessingResult> {
  options.log(`  ${profile.id}: accel's preprocessing of one input, alone`);
  try {
    return await prepared.preprocessing!();
  } catch (error) {
    return { what: "accel's preprocessing of one input", status: 'failed', reason: describeError(error) };
  }
}

/** Backends a profile runs on: the selected ones; in quick mode, of the available ones only those its `quickBackends` names. */
function backendsFor<Row extends BackendAvailability>(profile: BenchProfile, backends: readonly Row[], quick: boolean): Row[] {
  const quickBackends = quick ? profile.quickBackends : undefined;
  return backends.filter((row) => row.selected && (quickBackends === undefined || !row.available || quickBackends.includes(row.backend)));
}

/**
 * Reads every file of a model folder once, so the subject that loads first does not pay for
 * the disk while the others read from the page cache (seen here: gpt2's first load took 12 s
 * after a full run had pushed its files out of memory, the next ones 1.3–2 s).
 */
async function readThrough(folder: string): Promise<void> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const buffer = Buffer.allocUnsafe(1 << 22);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const handle = await open(join(entry.parentPath, entry.name), 'r');
    try {
      while ((await handle.read(buffer, 0, buffer.length, null)).bytesRead > 0);
    } finally {
      await handle.close();
    }
  }
}

/** Runs the benchmark: forges models, measures every selected profile on every selected backend, and evaluates the goals. */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const startedAt = performance.now();
  const loadAverageStart = loadavg()[0] ?? 0;
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new InvalidInputError({ reason: `repeat must be a positive integer, got ${repeat}` });
  const settings = settingsFor(options);
  const profiles = selectProfiles(benchProfiles, options);
  const backends = await probeBackends(options.backends);
  for (const name of options.backends ?? []) {
    if (!backends.some((row) => row.backend === name)) throw new InvalidInputError({ reason: `unknown backend ${name} (known: ${backends.map((row) => row.backend).join(', ')})` });
  }
  const runs: RunResult[] = [];
  for (let run = 0; run < repeat; run += 1) {
    if (repeat > 1) options.log(`run ${run + 1} of ${repeat}`);
    runs.push(await measureRun(profiles, backends, settings, options));
  }
  const versions: Record<string, string> = { node: process.version };
  for (const row of backends) if (row.runtime) versions[row.backend] = row.runtime;
  versions['transformers.js'] = await transformersName().catch(() => 'not installed');
  const first = runs[0]!;
  return {
    generatedAt: new Date().toISOString(),
    command: options.command,
    mode: options.quick ? 'quick' : 'full',
    modelSize: options.size,
    replicas: options.replicas ?? 'auto',
    machine: describeMachine(loadAverageStart),
    versions,
    durationSeconds: (performance.now() - startedAt) / 1000,
    backends: backends.map(({ instance: _instance, ...row }) => row),
    cells: first.cells,
    ...(first.coServing ? { coServing: first.coServing } : {}),
    goals: repeat === 1 ? first.goals : combineGoals(runs.map((entry) => entry.goals)),
    ...(repeat === 1 ? {} : { repeat: { runs, ratios: combineRatios(runs) } }),
  };
}

/** One run over every selected profile and backend, and the two-model measure; its goals evaluated on it alone. */
async function measureRun(
  profiles: readonly BenchProfile[],
  backends: ReadonlyArray<BackendAvailability & { instance?: BackendV1 }>,
  settings: BenchSettings,
  options: BenchOptions,
): Promise<RunResult> {
  const startedAt = performance.now();
  const loadAverageStart = loadavg()[0] ?? 0;
  const cacheDirectory = resolve(options.cacheDirectory);
  const inputsDirectory = join(cacheDirectory, '.bench-inputs');
  const cells: CellResult[] = [];
  const folders = new Map<string, string>();

  for (const profile of profiles) {
    const targets = backendsFor(profile, backends, options.quick);
    const skip = (reason: string) => targets.forEach((row) => cells.push(skippedCell(profile, row.backend, reason)));
    let skill: SkillV1;
    try {
      skill = await profile.skill.load();
    } catch (error) {
      skip(`could not load skill ${profile.skill.name}: ${describeError(error)}`);
      continue;
    }
    if (!canForge(profile.model)) {
      skip(`the model forge has no preset for ${profile.model}`);
      continue;
    }
    let prepared: PreparedProfile;
    try {
      const { directory } = await ensureModel(profile.model, cacheDirectory, options.size, options.progress);
      folders.set(profile.id, directory);
      prepared = await profile.prepare({ model: directory, inputsDirectory, settings });
    } catch (error) {
      skip(`could not prepare ${profile.model}: ${describeError(error)}`);
      continue;
    }
    for (const row of targets) {
      const excluded = profile.skipBackends?.[row.backend];
      if (!row.available || row.instance === undefined) cells.push(skippedCell(profile, row.backend, row.reason ?? 'unavailable'));
      else if (excluded !== undefined) cells.push(skippedCell(profile, row.backend, excluded));
      else {
        await readThrough(folders.get(profile.id)!);
        const measured = await measureCell(profile, prepared, skill, row.instance, settings, options);
        let cell = measured.status === 'measured' && prepared.agreement ? { ...measured, agreement: await agreementOf(prepared, skill, row.instance, profile, options) } : measured;
        if (cell.status === 'measured' && prepared.preprocessing && !cells.some((other) => other.profile === profile.id && other.preprocessing !== undefined)) {
          cell = { ...cell, preprocessing: await preprocessingOf(prepared, profile, options) };
        }
        cells.push(cell);
      }
    }
  }

  const coServing = await coServe(profiles, backends, folders, settings, options);
  const probed = await probeMemory(cells, profiles, folders, inputsDirectory, settings, options);
  const partial = { cells: probed, ...(coServing ? { coServing } : {}) };
  return {
    durationSeconds: (performance.now() - startedAt) / 1000,
    loadAverageStart,
    loadAverageEnd: loadavg()[0] ?? 0,
    ...partial,
    goals: evaluateGoals(partial),
  };
}

/**
 * The memory phase, after every timing of the run (so it disturbs none): each measured cell's
 * subjects, each in a fresh child process of its own (`memory/memory-probe.ts`), one after another.
 */
async function probeMemory(
  cells: readonly CellResult[],
  profiles: readonly BenchProfile[],
  folders: ReadonlyMap<string, string>,
  inputsDirectory: string,
  settings: BenchSettings,
  options: BenchOptions,
): Promise<CellResult[]> {
  const probed: CellResult[] = [];
  for (const cell of cells) {
    const profile = profiles.find((candidate) => candidate.id === cell.profile);
    const model = folders.get(cell.profile);
    if (cell.status !== 'measured' || profile === undefined || model === undefined) {
      probed.push(cell);
      continue;
    }
    try {
      probed.push({ ...cell, memory: await probeCellMemory(cell, { profile, model, inputsDirectory, settings, replicas: options.replicas ?? 'auto', log: options.log }) });
    } catch (error) {
      const reason = `memory probe failed: ${describeError(error)}`;
      probed.push({ ...cell, memory: { requests: '–', subjects: cell.subjects.map((subject) => ({ role: subject.role, label: subject.label, status: 'failed' as const, reason })) } });
    }
  }
  return probed;
}

/** The two-model measure, on the CPU, when the MiniLM profile is part of the run. */
async function coServe(
  profiles: readonly BenchProfile[],
  backends: ReadonlyArray<BackendAvailability & { instance?: BackendV1 }>,
  folders: ReadonlyMap<string, string>,
  settings: BenchSettings,
  options: BenchOptions,
): Promise<CoServingResult | undefined> {
  const profile = profiles.find((candidate) => candidate.id === 'minilm');
  const model = folders.get('minilm');
  if (profile === undefined || model === undefined) return undefined;
  const description = 'two MiniLM-size models served from one process';
  const cpu = backends.find((row) => row.backend === 'cpu');
  if (cpu?.instance === undefined) return { description, backend: 'cpu', status: 'skipped', reason: cpu?.reason ?? 'the cpu backend is not selected' };
  const known = benchBackends.find((candidate) => candidate.name === 'cpu')!;
  try {
    const [skill, createBackend] = await Promise.all([profile.skill.load(), known.load()]);
    return await measureCoServing({
      skill,
      createBackend,
      model,
      batchSize: settings.batchSize,
      phaseMs: settings.coServingPhaseMs,
      log: options.log,
    });
  } catch (error) {
    return { description, backend: 'cpu', status: 'failed', reason: describeError(error) };
  }
}
