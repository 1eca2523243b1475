import { forgeModel, presetIds } from '@accel/model-forge';
import type { ForgedModel } from '@accel/model-forge';
import { createProgressReporter, type ProgressOutput } from './progress-bar.js';

export type ModelSize = 'tiny' | 'full';

/** True when the model forge can write this model. */
export function canForge(id: string): boolean {
  return presetIds.includes(id);
}

/**
 * The model's folder under `root`, written by the model forge (random weights, real sizes) if
 * it is missing or incomplete; an up-to-date folder is reused at once.
 */
export async function ensureModel(id: string, root: string, size: ModelSize, progress: ProgressOutput): Promise<ForgedModel> {
  const reporter = createProgressReporter(progress);
  try {
    return await forgeModel(id, { root, size, onProgress: (event) => reporter.update(`${id}/${event.file}`, event.bytesWritten, event.totalBytes) });
  } finally {
    reporter.finish();
  }
}
