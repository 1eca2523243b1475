import {
  Accel,
  BackendUnavailableError,
  type BackendProbe,
  type BackendV1,
  type Dtype,
  type InferResult,
  type ModelStoreEvent,
  type SkillV1,
} from '@accel/core';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';

export interface RunOptions {
  readonly skill: SkillV1;
  readonly input: unknown;
  readonly skillOptions?: Record<string, unknown>;
  readonly model?: string;
  readonly backend: string;
  readonly fallback?: readonly string[];
  readonly dtype: Dtype;
  readonly threads?: number;
  readonly cacheDirectory?: string;
  /** Never download a missing model. */
  readonly offline?: boolean;
  /** Revision of a model's first download (the commit is recorded and kept). */
  readonly revision?: string;
  /** Re-hash the model's files against its manifest before loading. */
  readonly verify?: boolean;
  /** The model store's download events, while a missing model downloads. */
  readonly onProgress?: (event: ModelStoreEvent) => void;
  /** Receives text pieces as they are generated; only for skills that stream. */
  readonly onText?: (text: string) => void;
}

/** The result, and the probe of each backend a fallback step left because it was unavailable (its reason and fix). */
export interface RunResult extends InferResult<unknown> {
  readonly skippedProbes: Readonly<Record<string, BackendProbe>>;
}

/** The backends device labels need (`auto`: every installed one), made with the thread budget; an unknown or missing one is `BackendUnavailableError`. */
export async function loadBackends(labels: readonly string[], threads: number | undefined): Promise<BackendV1[]> {
  const names = new Set(labels.flatMap((label) => (label === 'auto' ? knownBackends.map((known) => known.name) : [label.split(':')[0]!])));
  const backends = [];
  for (const name of names) {
    const known = knownBackends.find((candidate) => candidate.name === name);
    if (known === undefined) {
      throw new BackendUnavailableError({ backend: name, reason: `unknown backend (known: ${knownBackends.map((candidate) => candidate.name).join(', ')})` });
    }
    const imported = await importKnown<BackendFactory>(known);
    if ('missing' in imported) {
      if (labels.includes('auto')) continue;
      throw new BackendUnavailableError({ backend: name, reason: imported.missing, fix: `npm install ${known.packageName}` });
    }
    backends.push(imported.value(threads === undefined ? {} : { threads }));
  }
  return backends;
}

/** The probes of the backends that fallback steps left as unavailable, by backend name. */
async function probesOfSkipped(result: InferResult<unknown>, backends: readonly BackendV1[]): Promise<Record<string, BackendProbe>> {
  const probes: Record<string, BackendProbe> = {};
  for (const step of result.provenance.fallbacks) {
    if (step.code !== 'ACCEL_BACKEND_UNAVAILABLE') continue;
    const name = step.from.split(':')[0]!;
    const backend = backends.find((candidate) => candidate.name === name);
    if (backend === undefined || name in probes) continue;
    const probe = await backend.probe();
    if (!probe.available) probes[name] = probe;
  }
  return probes;
}

/** Runs one request through a one-endpoint registry and returns the result. */
export async function runSkill(options: RunOptions): Promise<RunResult> {
  const { skill } = options;
  const labels = [options.backend, ...(options.fallback ?? [])];
  const backends = await loadBackends(labels, options.threads);
  const accel = new Accel({
    backends,
    skills: [skill],
    models: {
      ...(options.offline ? { offline: true } : {}),
      ...(options.revision ? { revision: options.revision } : {}),
      ...(options.cacheDirectory ? { cacheDirectory: options.cacheDirectory } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
  });
  try {
    accel.addEndpoint({
      skill,
      // One request: a second copy (`replicas: 'auto'` loads two of a small model) would only add its load.
      replicas: 1,
      backend: options.backend,
      dtype: options.dtype,
      ...(options.verify ? { verify: true } : {}),
      ...(options.fallback && options.fallback.length > 0 ? { fallback: options.fallback } : {}),
      ...(options.model ? { model: options.model } : {}),
    });
    let result: InferResult<unknown>;
    if (options.onText === undefined) {
      result = await accel.infer(skill, options.input, options.skillOptions);
    } else {
      const stream = accel.stream(skill, options.input, options.skillOptions);
      for await (const text of stream) options.onText(text);
      result = await stream.result;
    }
    return { ...result, skippedProbes: await probesOfSkipped(result, backends) };
  } finally {
    await accel.dispose();
  }
}
