import { InvalidModelError, type SkillLoadContext } from '@accel/core';
import type { TransformersTokenizer } from './transformers-types.js';
import { loadTransformers } from './load-transformers.js';

/**
 * Loads the model folder's tokenizer with transformers.js (the build `loadTransformers` picks),
 * strictly from local files.
 */
export async function loadTokenizer(context: SkillLoadContext): Promise<TransformersTokenizer> {
  const { AutoTokenizer } = await loadTransformers();
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(context.model.directory, { local_files_only: true });
    context.recordFile('tokenizer.json');
    context.recordFile('tokenizer_config.json');
    return tokenizer;
  } catch (error) {
    throw new InvalidModelError({
      model: context.model.id,
      file: 'tokenizer.json',
      reason: `transformers.js could not load the tokenizer: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
}
