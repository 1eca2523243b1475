import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accel, AccelError, type BackendV1, type Provenance, type SkillV1 } from '@accel/core';
import type * as ModelForge from '@accel/model-forge';
import { importKnown, installedSkills, knownBackends, type BackendFactory } from '../known-packages.js';
import { importOptional, type ImportModule } from '../optional-package.js';
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
    // One request: one copy of the model (`replicas: 'auto'` would load two of a small one).
    accel.addEndpoint({ skill, model, backend: backend.name, replicas: 1 });
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
 * Unavailable or missing backends are skipped with the reason. The models come from
 * `@accel/model-forge`, an optional peer dependency imported only here: without it, an
 * `UnsupportedError` says what to install.
 */
export async function runSmoke(modelRoot = join(tmpdir(), 'accel-smoke-models'), load?: ImportModule): Promise<SmokeRow[]> {
  const { forgeModel, presetIds } = await importOptional<typeof ModelForge>('@accel/model-forge', 'accel doctor --smoke', load);
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

/** A backend skipped for every skill that got as far as it, with the one reason they share. */
function unavailableBackends(rows: readonly SmokeRow[]): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const backend of new Set(rows.map((row) => row.backend))) {
    const own = rows.filter((row) => row.backend === backend);
    const reason = own[0]?.reason;
    if (own.length > 1 && reason !== undefined && own.every((row) => row.status === 'skipped' && row.reason === reason)) reasons.set(backend, reason);
  }
  return reasons;
}

/**
 * The smoke table. A backend that no skill could run on (unavailable, not installed) is one line
 * under the table, its reason stated once; with `reasonsAbove` (after `accel doctor`'s table,
 * which gives each reason and fix) the line points there instead.
 */
export function renderSmoke(rows: readonly SmokeRow[], { reasonsAbove = false }: { reasonsAbove?: boolean } = {}): string {
  const unavailable = unavailableBackends(rows);
  const table = renderTable(
    ['skill', 'backend', 'result', 'time', 'ran on', 'details'],
    rows
      .filter((row) => !unavailable.has(row.backend))
      .map((row) => [
        row.skill,
        row.backend,
        row.status,
        row.milliseconds === undefined ? '-' : `${row.milliseconds.toFixed(0)} ms`,
        row.provenance ? `${row.provenance.device} ${row.provenance.dtype} ${row.provenance.runtime ?? ''}`.trim() : '-',
        row.provenance ? row.provenance.model.files.filter((file) => file.endsWith('.onnx')).join(', ') : (row.reason ?? ''),
      ]),
  );
  const skippedLines = [...unavailable].map(([backend, reason]) => {
    const skills = rows.filter((row) => row.backend === backend).length;
    return `${backend}: skipped for all ${skills} skills: ${reasonsAbove ? 'unavailable here (the reason and fix are above)' : reason}`;
  });
  const counts = (status: SmokeRow['status']) => rows.filter((row) => row.status === status).length;
  return [
    table,
    '',
    ...(skippedLines.length > 0 ? [...skippedLines, ''] : []),
    `smoke: ${counts('passed')} passed, ${counts('failed')} failed, ${counts('skipped')} skipped (tiny random-weight models from @accel/model-forge; no download)`,
  ].join('\n');
}
