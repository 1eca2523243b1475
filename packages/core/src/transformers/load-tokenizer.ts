import { InvalidModelError } from '../errors/invalid-model-error.js';
import type { SkillLoadContext } from '../skill/v1/skill-load-context.js';
import type { PreTrainedTokenizer } from '@huggingface/transformers';

/**
 * Loads the model folder's tokenizer with transformers.js (an optional peer dependency, imported
 * on first use), strictly from local files.
 */
export async function loadTokenizer(context: SkillLoadContext): Promise<PreTrainedTokenizer> {
  const { AutoTokenizer } = await import('@huggingface/transformers');
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
