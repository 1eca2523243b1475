import type { BackendV1 } from '@accel/core';
import type { BackendAvailability } from './bench-result.js';
import { describeError } from './describe-error.js';

/** Makes a backend object (each backend package's `create…Backend`). */
export type BackendFactory = () => BackendV1;

/** A backend the bench measures on: its name (`--backends`) and how its package is loaded (only when the run reaches it). */
export interface BenchBackend {
  readonly name: string;
  load(): Promise<BackendFactory>;
}

/** Every backend the bench knows, in report order. */
export const benchBackends: readonly BenchBackend[] = [
  { name: 'cpu', load: async () => (await import('@accel/backend-cpu')).createCpuBackend },
  { name: 'cuda', load: async () => (await import('@accel/backend-cuda')).createCudaBackend },
  { name: 'openvino', load: async () => (await import('@accel/backend-openvino')).createOpenVinoBackend },
  { name: 'wasm', load: async () => (await import('@accel/backend-wasm')).createWasmBackend },
];

/** Every known backend, probed: the available and selected ones come with a backend object. */
export async function probeBackends(selected: readonly string[] | undefined): Promise<Array<BackendAvailability & { instance?: BackendV1 }>> {
  const rows: Array<BackendAvailability & { instance?: BackendV1 }> = [];
  for (const known of benchBackends) {
    const isSelected = selected === undefined || selected.includes(known.name);
    let create: BackendFactory;
    try {
      create = await known.load();
    } catch (error) {
      rows.push({ backend: known.name, available: false, selected: isSelected, reason: `could not load: ${describeError(error)}` });
      continue;
    }
    try {
      const instance = create();
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

/** The cpu backend, probed, for the modes that measure on it alone (`--server`, `--scaling`): the backend and its runtime, or why it cannot run. */
export async function loadCpuBackend(): Promise<{ backend: BackendV1; runtime: string } | { backend?: undefined; unavailable: string }> {
  try {
    const backend = (await benchBackends.find((known) => known.name === 'cpu')!.load())();
    const probe = await backend.probe();
    if (!probe.available) return { unavailable: `the cpu backend is unavailable: ${probe.reason ?? 'no reason given'}` };
    return { backend, runtime: probe.runtime ?? 'unknown' };
  } catch (error) {
    return { unavailable: `could not load the cpu backend: ${describeError(error)}` };
  }
}
