import type { ReplicasSetting } from '../subjects/accel-subject.js';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CellMemoryResult, CellResult, SubjectMemoryResult } from '../bench-result.js';
import type { BenchSettings } from '../bench-settings.js';
import type { BenchProfile, MeasureName } from '../profiles/bench-profile.js';
import { memoryProbeSetupVariable, type MemoryProbeReply, type MemoryProbeSetup } from './memory-messages.js';

/** RSS sampling interval in the child. */
const sampleIntervalMs = 10;

/** How long one child may take to load its subject and answer its first requests (a 32-image CLIP batch takes seconds). */
const childTimeoutMs = 300_000;

/** The built child script: beside this module in dist/, or dist/ of the package when run from its TypeScript sources (the tests). */
function childScript(): URL {
  const beside = new URL('./memory-child.js', import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : new URL('../../dist/memory/memory-child.js', import.meta.url);
}

/** The measures a run takes of a profile (the quick ones in quick mode), which decide its first requests. */
export function measuresFor(profile: BenchProfile, settings: BenchSettings): readonly MeasureName[] {
  return settings.mode === 'quick' ? (profile.quickMeasures ?? profile.measures) : profile.measures;
}

/** In words, what the timing's `firstRequest` and `firstBatch` send after loading (the probe sends the same). */
export function describeFirstRequests(measures: readonly MeasureName[], settings: BenchSettings): string {
  const first = measures.includes('generation') ? 'a request for 1 token' : 'a request of 1 item';
  return `load, ${first}${measures.includes('batch') ? `, a request of ${settings.batchSize} items` : ''}`;
}

/** One subject in a fresh child process: its peak RSS over the baseline while it loads and answers its first requests. */
export async function probeSubjectMemory(setup: MemoryProbeSetup, timeoutMs = childTimeoutMs): Promise<SubjectMemoryResult> {
  const child = fork(childScript(), [], {
    env: { ...process.env, [memoryProbeSetupVariable]: JSON.stringify(setup) },
    // Not the parent's flags (a test runner's loaders): the child runs the built script as it is,
    // with `gc` exposed so that it collects the imports' garbage before reading its baseline.
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  // 'close': the process has exited and its stdio and IPC channel are closed, so a reply sent before exiting has arrived.
  const exited = new Promise<string>((resolve) => child.once('close', (code, signal) => resolve(signal ?? `code ${code}`)));
  const reply = await new Promise<MemoryProbeReply>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ type: 'failed', message: `no answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child.once('message', (message: MemoryProbeReply) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ type: 'failed', message: error.message });
    });
    void exited.then((how) => {
      clearTimeout(timer);
      const lastLine = stderr.trim().split('\n').at(-1);
      resolve({ type: 'failed', message: `the child exited (${how}) before answering${lastLine ? `: ${lastLine}` : ''}` });
    });
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
  const base = { role: setup.role, label: reply.label ?? setup.role };
  if (reply.type === 'measured') return { ...base, status: 'measured', measurement: reply.measurement };
  if (reply.type === 'skipped') return { ...base, status: 'skipped', reason: reply.reason };
  return { ...base, status: 'failed', reason: reply.message };
}

/**
 * The memory probe of a measured cell: each subject the timing measured, in a child process of
 * its own, one after another. A subject the timing skipped is skipped here with the same reason;
 * one that failed there is not probed.
 */
export async function probeCellMemory(
  cell: CellResult,
  options: {
    readonly profile: BenchProfile;
    readonly model: string;
    readonly inputsDirectory: string;
    readonly settings: BenchSettings;
    readonly replicas: ReplicasSetting;
    readonly log: (message: string) => void;
  },
): Promise<CellMemoryResult> {
  const subjects: SubjectMemoryResult[] = [];
  for (const subject of cell.subjects) {
    const base = { role: subject.role, label: subject.label };
    if (subject.status === 'skipped') {
      subjects.push({ ...base, status: 'skipped', reason: subject.reason ?? 'skipped in the timing' });
      continue;
    }
    if (subject.status === 'failed') {
      subjects.push({ ...base, status: 'skipped', reason: `not probed: it failed in the timing (${subject.reason ?? 'no reason given'})` });
      continue;
    }
    options.log(`  memory of ${subject.label} (${cell.profile} on ${cell.backend}, a process of its own)`);
    const probed = await probeSubjectMemory({
      profile: cell.profile,
      backend: cell.backend,
      role: subject.role,
      model: options.model,
      inputsDirectory: options.inputsDirectory,
      settings: options.settings,
      replicas: options.replicas,
      intervalMs: sampleIntervalMs,
    });
    subjects.push({ ...probed, label: subject.label });
  }
  return { requests: describeFirstRequests(measuresFor(options.profile, options.settings), options.settings), subjects };
}

/** A subject's peak RSS added in the cell's probe, when measured. */
export function memoryAddedBytes(memory: CellMemoryResult | undefined, role: SubjectMemoryResult['role']): number | undefined {
  return memory?.subjects.find((subject) => subject.role === role && subject.status === 'measured')?.measurement?.addedRssBytes;
}

/** accel's peak RSS added ÷ a peer's, in the cell's probe; undefined unless both were measured. */
export function memoryRatio(memory: CellMemoryResult | undefined, peer: 'onnxruntime' | 'pipeline'): number | undefined {
  const accel = memoryAddedBytes(memory, 'accel');
  const other = memoryAddedBytes(memory, peer);
  return accel !== undefined && other !== undefined && other > 0 ? accel / other : undefined;
}
