import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accel, AccelError, type BackendV1, type Provenance, type SkillV1 } from '@accel/core';
import { forgeModel, presetIds } from '@accel/model-forge';
import { importKnown, installedSkills, knownBackends, type BackendFactory } from '../known-packages.js';
import { renderTable } from '../render-table.js';

export interface SmokeRow {
  readonly skill: string;
  readonly backend: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly milliseconds?: number;
  readonly provenance?: Provenance;
}

async function installedBackends(): Promise<Array<{ name: string; backend?: BackendV1; missing?: string }>> {
  const backends = [];
  for (const known of knownBackends) {
    const imported = await importKnown<BackendFactory>(known);
    backends.push('value' in imported ? { name: known.name, backend: imported.value() } : { name: known.name, missing: imported.missing });
  }
  return backends;
}

function describe(error: unknown): string {
  if (AccelError.isInstance(error)) return error.toLine();
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

async function smokeOne(skill: SkillV1, backend: BackendV1, model: string): Promise<SmokeRow> {
  const accel = new Accel({ backends: [backend], skills: [skill] });
  const startedAt = performance.now();
  try {
    accel.addEndpoint({ skill, model, backend: backend.name });
    const { provenance } = await accel.infer(skill, skill.example.input, skill.example.options as never);
    return { skill: skill.name, backend: backend.name, status: 'passed', milliseconds: performance.now() - startedAt, provenance };
  } catch (error) {
    return { skill: skill.name, backend: backend.name, status: 'failed', reason: describe(error), milliseconds: performance.now() - startedAt };
  } finally {
    await accel.dispose();
  }
}

/**
 * Runs every installed skill on a tiny forged model (no download) on every available backend.
 * Unavailable or missing backends are skipped with the reason.
 */
export async function runSmoke(modelRoot = join(tmpdir(), 'accel-smoke-models')): Promise<SmokeRow[]> {
  const rows: SmokeRow[] = [];
  const backends = await installedBackends();
  for (const skill of await installedSkills()) {
    if (!presetIds.includes(skill.defaultModel)) {
      for (const { name } of backends) rows.push({ skill: skill.name, backend: name, status: 'skipped', reason: `the model forge has no tiny ${skill.defaultModel}` });
      continue;
    }
    const { directory } = await forgeModel(skill.defaultModel, { root: modelRoot, size: 'tiny' });
    for (const { name, backend, missing } of backends) {
      if (backend === undefined) {
        rows.push({ skill: skill.name, backend: name, status: 'skipped', reason: missing ?? 'not installed' });
        continue;
      }
      const probe = await backend.probe();
      if (!probe.available) {
        rows.push({ skill: skill.name, backend: name, status: 'skipped', reason: probe.reason ?? 'unavailable' });
        continue;
      }
      rows.push(await smokeOne(skill, backend, directory));
    }
  }
  return rows;
}

export function renderSmoke(rows: readonly SmokeRow[]): string {
  const table = renderTable(
    ['skill', 'backend', 'result', 'time', 'ran on', 'details'],
    rows.map((row) => [
      row.skill,
      row.backend,
      row.status,
      row.milliseconds === undefined ? '-' : `${row.milliseconds.toFixed(0)} ms`,
      row.provenance ? `${row.provenance.device} ${row.provenance.dtype} ${row.provenance.runtime ?? ''}`.trim() : '-',
      row.provenance ? row.provenance.model.files.filter((file) => file.endsWith('.onnx')).join(', ') : (row.reason ?? ''),
    ]),
  );
  const counts = (status: SmokeRow['status']) => rows.filter((row) => row.status === status).length;
  return `${table}\n\nsmoke: ${counts('passed')} passed, ${counts('failed')} failed, ${counts('skipped')} skipped (tiny random-weight models from @accel/model-forge; no download)`;
}
