import type { BackendProbe, FallbackStep, Provenance } from '@accel/core';

/** `[2]` → `one batch of 2`; `[8, 3]` → `2 batches: 8, 3`. */
export function describeBatches(batchSizes: readonly number[]): string {
  if (batchSizes.length === 0) return 'no batch';
  if (batchSizes.length === 1) return `one batch of ${batchSizes[0]}`;
  return `${batchSizes.length} batches: ${batchSizes.join(', ')}`;
}

/** Longer reasons are cut to their first clause, with how many more there are. */
const shortReasonLength = 100;

/** A reason in one short line: whole when short, else its first `;`-separated clause and a count of the rest. */
export function shortReason(reason: string): string {
  const line = reason.split('\n')[0] ?? reason;
  const clauses = line.split('; ');
  if (line.length <= shortReasonLength || clauses.length === 1) return line;
  return `${clauses[0]} (and ${clauses.length - 1} more: --verbose or accel doctor)`;
}

export interface ProvenanceFormat {
  /** Full reasons and fixes of skipped stages. */
  readonly verbose?: boolean;
  /** Probes of the backends that fallback steps left as unavailable, by backend name (`runSkill` returns them). */
  readonly skippedProbes?: Readonly<Record<string, BackendProbe>>;
}

/** One line per fallback step (two with `verbose` when a fix is known): `cuda: no NVIDIA driver found …`. */
function describeFallback(step: FallbackStep, format: ProvenanceFormat): string[] {
  const probe = format.skippedProbes?.[step.from.split(':')[0]!];
  const reason = probe?.reason ?? step.reason;
  if (!format.verbose) return [`    ${step.from} → ${step.to}: ${shortReason(reason)}`];
  const fix = probe?.fix;
  return [`    ${step.from} → ${step.to}: ${step.code ? `${step.code}: ` : ''}${reason}`, ...(fix ? [`      fix: ${fix}`] : [])];
}

export function formatProvenance(provenance: Provenance, format: ProvenanceFormat = {}): string {
  const lines = [
    `provenance: endpoint ${provenance.endpoint} · backend ${provenance.backend} · device ${provenance.device} · dtype ${provenance.dtype}${provenance.runtime ? ` · ${provenance.runtime}` : ''}`,
    `  model ${provenance.model.id} (${provenance.model.directory}): ${provenance.model.files.join(', ')}`,
    `  timings: total ${provenance.timings.totalMs.toFixed(1)} ms, inference ${provenance.timings.inferenceMs.toFixed(1)} ms, load ${provenance.timings.endpointLoadMs.toFixed(1)} ms; ${describeBatches(provenance.batchSizes)}`,
  ];
  if (provenance.fallbacks.length === 0) lines.push('  fallbacks: none');
  else {
    lines.push(`  fallbacks: ${provenance.fallbacks.length} stage${provenance.fallbacks.length === 1 ? '' : 's'} skipped`);
    for (const step of provenance.fallbacks) lines.push(...describeFallback(step, format));
  }
  const extras = Object.entries(provenance.timings).filter(([name]) => !['queuedMs', 'inferenceMs', 'totalMs', 'endpointLoadMs'].includes(name));
  if (extras.length > 0) lines.push(`  ${extras.map(([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toFixed(3)}`).join(', ')}`);
  for (const note of provenance.notes) lines.push(`  note${note.item === undefined ? '' : ` (input ${note.item})`}: ${note.message}`);
  return lines.join('\n');
}

/** JSON.stringify replacer that writes typed arrays as plain arrays. */
export function toJsonValue(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'bigint') return Number(value);
  return value;
}
