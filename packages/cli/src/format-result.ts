import type { InferResult, Provenance } from '@accel/core';

function formatVector(vector: Float32Array): string {
  const head = Array.from(vector.slice(0, 6), (value) => value.toFixed(4)).join(', ');
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return `[${head}${vector.length > 6 ? ', …' : ''}] (${vector.length} dims, norm ${norm.toFixed(4)})`;
}

export function formatProvenance(provenance: Provenance): string {
  const lines = [
    `provenance: endpoint ${provenance.endpoint} · backend ${provenance.backend} · device ${provenance.device} · dtype ${provenance.dtype}${provenance.runtime ? ` · ${provenance.runtime}` : ''}`,
    `  model ${provenance.model.id} (${provenance.model.directory}): ${provenance.model.files.join(', ')}`,
    `  timings: total ${provenance.timings.totalMs.toFixed(1)} ms, inference ${provenance.timings.inferenceMs.toFixed(1)} ms, load ${provenance.timings.endpointLoadMs.toFixed(1)} ms; batches ${provenance.batchSizes.join(', ')}`,
    `  fallbacks: ${provenance.fallbacks.length === 0 ? 'none' : provenance.fallbacks.map((step) => `${step.from} → ${step.to}: ${step.reason}`).join('; ')}`,
  ];
  for (const note of provenance.notes) lines.push(`  note${note.item === undefined ? '' : ` (input ${note.item})`}: ${note.message}`);
  return lines.join('\n');
}

/** A human-readable rendering of a skill's result. */
export function formatResult(result: InferResult<unknown>, inputs: readonly string[]): string {
  const output = result.output as { embeddings?: Float32Array[] };
  const lines: string[] = [];
  if (Array.isArray(output.embeddings)) {
    output.embeddings.forEach((embedding, index) => lines.push(`${JSON.stringify(inputs[index])} → ${formatVector(embedding)}`));
  } else {
    lines.push(JSON.stringify(result.output, toJsonValue, 2));
  }
  lines.push(formatProvenance(result.provenance));
  return lines.join('\n');
}

/** JSON.stringify replacer that writes typed arrays as plain arrays. */
export function toJsonValue(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'bigint') return Number(value);
  return value;
}
