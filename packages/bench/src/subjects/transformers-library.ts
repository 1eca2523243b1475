import { memoizeAsync } from '@accel/core';
import type * as Transformers from '@huggingface/transformers';

export type TransformersModule = typeof Transformers;

/** transformers.js, offline: every model comes from a local folder. */
export const loadTransformers = memoizeAsync(async (): Promise<TransformersModule> => {
  const module = await import('@huggingface/transformers');
  module.env.allowRemoteModels = false;
  return module;
});

/** `@huggingface/transformers <version>`. */
export async function transformersName(): Promise<string> {
  const { env } = await loadTransformers();
  return `@huggingface/transformers ${env.version}`;
}

/** The options a user passes to load a local folder on the CPU in fp32. */
export const localFolderOptions = { local_files_only: true, dtype: 'fp32', device: 'cpu' } as const;
