import type { Provenance } from '@accel/core';

export function formatProvenance(provenance: Provenance): string {
  const lines = [
    `provenance: endpoint ${provenance.endpoint} · backend ${provenance.backend} · device ${provenance.device} · dtype ${provenance.dtype}${provenance.runtime ? ` · ${provenance.runtime}` : ''}`,
    `  model ${provenance.model.id} (${provenance.model.directory}): ${provenance.model.files.join(', ')}`,
    `  timings: total ${provenance.timings.totalMs.toFixed(1)} ms, inference ${provenance.timings.inferenceMs.toFixed(1)} ms, load ${provenance.timings.endpointLoadMs.toFixed(1)} ms; batches ${provenance.batchSizes.join(', ')}`,
    `  fallbacks: ${provenance.fallbacks.length === 0 ? 'none' : provenance.fallbacks.map((step) => `${step.from} → ${step.to}: ${step.reason}`).join('; ')}`,
  ];
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
