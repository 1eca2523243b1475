import type { BackendV1 } from '@accel/core';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';
import type { BackendAvailability } from './bench-result.js';
import { describeError } from './describe-error.js';

/** Every known backend, probed: the available and selected ones come with a backend object. */
export async function probeBackends(selected: readonly string[] | undefined): Promise<Array<BackendAvailability & { instance?: BackendV1 }>> {
  const rows: Array<BackendAvailability & { instance?: BackendV1 }> = [];
  for (const known of knownBackends) {
    const isSelected = selected === undefined || selected.includes(known.name);
    const imported = await importKnown<BackendFactory>(known);
    if ('missing' in imported) {
      rows.push({ backend: known.name, available: false, selected: isSelected, reason: imported.missing });
      continue;
    }
    try {
      const instance = imported.value();
      const probe = await instance.probe();
      if (!probe.available) {
        rows.push({ backend: known.name, available: false, selected: isSelected, reason: probe.reason ?? 'unavailable (no reason given)' });
        continue;
      }
      rows.push({ backend: known.name, available: true, selected: isSelected, ...(probe.runtime ? { runtime: probe.runtime } : {}), ...(isSelected ? { instance } : {}) });
    } catch (error) {
      rows.push({ backend: known.name, available: false, selected: isSelected, reason: `probe failed: ${describeError(error)}` });
    }
  }
  return rows;
}
