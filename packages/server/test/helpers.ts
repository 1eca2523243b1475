import { createCpuBackend } from '@accel/backend-cpu';
import type { BackendV1 } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { gatedBackend } from '@accel/testkit';

export const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

/** A tiny random-weight all-MiniLM-L6-v2 in `.cache/models/tiny` (git ignores it). */
export async function tinyMiniLm(): Promise<string> {
  return (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot })).directory;
}

/** Collects what the server logs, so tests stay quiet and can read the warnings. */
export function quietLogger(): { warn(message: string): void; error(message: string): void; warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return { warnings, errors, warn: (message) => warnings.push(message), error: (message) => errors.push(message) };
}

/** The cpu backend (one thread) whose sessions wait for `open()` before loading: the test decides when an endpoint finishes loading. */
export function gatedCpuBackend(): { backend: BackendV1; open(): void } {
  return gatedBackend(createCpuBackend({ threads: 1 }));
}
