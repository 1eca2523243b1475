import { Accel, BackendUnavailableError, UnsupportedError, type Dtype, type InferResult, type SkillV1 } from '@accel/core';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';
import type { SkillCommand } from '../skills/index.js';

export interface RunOptions {
  readonly command: SkillCommand;
  readonly input: unknown;
  readonly skillOptions?: Record<string, unknown>;
  readonly model?: string;
  readonly backend: string;
  readonly fallback?: readonly string[];
  readonly dtype: Dtype;
  readonly threads?: number;
  readonly cacheDirectory?: string;
  readonly allowDownload: boolean;
  readonly onProgress?: (message: string) => void;
  /** Receives text pieces as they are generated; only for skills that stream. */
  readonly onText?: (text: string) => void;
}

async function loadSkill(command: SkillCommand): Promise<SkillV1> {
  const imported = await importKnown<SkillV1>(command);
  if ('missing' in imported) throw new UnsupportedError({ feature: `skill ${command.name}: ${imported.missing}; npm install ${command.packageName}` });
  return imported.value;
}

async function loadBackends(labels: readonly string[], threads: number | undefined) {
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

/** Runs one request through a one-endpoint registry and returns the result. */
export async function runSkill(options: RunOptions): Promise<InferResult<unknown>> {
  const skill = await loadSkill(options.command);
  const labels = [options.backend, ...(options.fallback ?? [])];
  const accel = new Accel({
    backends: await loadBackends(labels, options.threads),
    skills: [skill],
    models: {
      allowDownload: options.allowDownload,
      ...(options.cacheDirectory ? { cacheDirectory: options.cacheDirectory } : {}),
      ...(options.onProgress
        ? {
            onProgress: (event) =>
              options.onProgress!(
                `downloading ${event.file}: ${(event.bytesReceived / 1e6).toFixed(1)}${event.totalBytes ? ` / ${(event.totalBytes / 1e6).toFixed(1)}` : ''} MB`,
              ),
          }
        : {}),
    },
  });
  try {
    accel.addEndpoint({
      skill,
      backend: options.backend,
      dtype: options.dtype,
      ...(options.fallback && options.fallback.length > 0 ? { fallback: options.fallback } : {}),
      ...(options.model ? { model: options.model } : {}),
    });
    if (options.onText === undefined) return await accel.infer(skill, options.input, options.skillOptions);
    const stream = accel.stream(skill, options.input, options.skillOptions);
    for await (const text of stream) options.onText(text);
    return await stream.result;
  } finally {
    await accel.dispose();
  }
}
