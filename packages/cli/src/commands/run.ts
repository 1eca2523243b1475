import { Accel, BackendUnavailableError, UnsupportedError, type Dtype, type InferResult, type SkillV1 } from '@accel/core';
import { importKnown, knownBackends, knownSkills, type BackendFactory } from '../known-packages.js';

export interface RunOptions {
  readonly skill: string;
  readonly inputs: readonly string[];
  readonly model?: string;
  readonly backend: string;
  readonly dtype: Dtype;
  readonly threads?: number;
  readonly cacheDirectory?: string;
  readonly allowDownload: boolean;
  readonly onProgress?: (message: string) => void;
}

async function loadSkill(name: string): Promise<SkillV1> {
  const known = knownSkills.find((candidate) => candidate.name === name);
  if (known === undefined) {
    throw new UnsupportedError({ feature: `skill ${name} (known skills: ${knownSkills.map((candidate) => candidate.name).join(', ')})` });
  }
  const imported = await importKnown<SkillV1>(known);
  if ('missing' in imported) throw new UnsupportedError({ feature: `skill ${name}: ${imported.missing}; npm install ${known.packageName}` });
  return imported.value;
}

async function loadBackend(label: string, threads: number | undefined) {
  const name = label.split(':')[0]!;
  const known = knownBackends.find((candidate) => candidate.name === name);
  if (known === undefined) {
    throw new BackendUnavailableError({ backend: name, reason: `unknown backend (known: ${knownBackends.map((candidate) => candidate.name).join(', ')})` });
  }
  const imported = await importKnown<BackendFactory>(known);
  if ('missing' in imported) throw new BackendUnavailableError({ backend: name, reason: imported.missing, fix: `npm install ${known.packageName}` });
  return imported.value(threads === undefined ? {} : { threads });
}

/** Runs one request through a one-endpoint registry and returns the result. */
export async function runSkill(options: RunOptions): Promise<InferResult<unknown>> {
  const skill = await loadSkill(options.skill);
  const backend = await loadBackend(options.backend, options.threads);
  const accel = new Accel({
    backends: [backend],
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
    accel.addEndpoint({ skill, backend: options.backend, dtype: options.dtype, ...(options.model ? { model: options.model } : {}) });
    const input = options.inputs.length === 1 ? options.inputs[0] : options.inputs;
    return await accel.infer(skill, input);
  } finally {
    await accel.dispose();
  }
}
