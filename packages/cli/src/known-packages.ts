import type { BackendV1 } from '@accel/core';

/** A package the CLI can load on demand, and the export it needs from it. */
export interface KnownPackage {
  readonly name: string;
  readonly packageName: string;
  readonly exportName: string;
}

export const knownBackends: readonly KnownPackage[] = [
  { name: 'cpu', packageName: '@accel/backend-cpu', exportName: 'createCpuBackend' },
  { name: 'cuda', packageName: '@accel/backend-cuda', exportName: 'createCudaBackend' },
  { name: 'openvino', packageName: '@accel/backend-openvino', exportName: 'createOpenVinoBackend' },
  { name: 'wasm', packageName: '@accel/backend-wasm', exportName: 'createWasmBackend' },
];

/** Imports a package's export, or returns why it cannot. */
export async function importKnown<T>(known: KnownPackage): Promise<{ value: T } | { missing: string }> {
  let module: Record<string, unknown>;
  try {
    module = (await import(known.packageName)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { missing: `${known.packageName} is not installed` };
    return { missing: `${known.packageName} failed to load: ${error instanceof Error ? error.message : String(error)}` };
  }
  const value = module[known.exportName];
  if (value === undefined) return { missing: `${known.packageName} has no export ${known.exportName}` };
  return { value: value as T };
}

export type BackendFactory = (options?: Record<string, unknown>) => BackendV1;

export { installedSkills } from './skill-packages.js';
