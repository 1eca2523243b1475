import { InvalidModelError, type SkillLoadContext } from '@accel/core';
import type { TransformersTokenizer } from './transformers-types.js';
import { loadTransformersBuild } from './load-transformers.js';

/**
 * Loads the model folder's tokenizer with transformers.js (the build `loadTransformers` picks),
 * strictly from local files.
 */
export async function loadTokenizer(context: SkillLoadContext): Promise<TransformersTokenizer> {
  const { module: transformers, build } = await loadTransformersBuild();
  // In a browser the model is a URL, which from_pretrained does not take as a folder: the tokenizer
  // is built from the JSON the load context reads, with the class AutoTokenizer would pick.
  const files = build === 'browser' ? await Promise.all([context.readJson<object>('tokenizer.json'), context.readJson<{ tokenizer_class?: string }>('tokenizer_config.json')]) : undefined;
  try {
    let tokenizer: TransformersTokenizer;
    if (files !== undefined) {
      const [tokenizerJson, tokenizerConfig] = files;
      const classes = transformers as unknown as Record<string, (new (json: object, config: object) => TransformersTokenizer) | undefined>;
      const TokenizerClass = classes[tokenizerConfig.tokenizer_class?.replace(/Fast$/, '') ?? 'PreTrainedTokenizer'] ?? classes.PreTrainedTokenizer!;
      tokenizer = new TokenizerClass(tokenizerJson, tokenizerConfig);
    } else {
      tokenizer = await transformers.AutoTokenizer.from_pretrained(context.model.directory, { local_files_only: true });
    }
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
