import type { BenchSubject } from './bench-subject.js';
import { loadTransformers, localFolderOptions, transformersName } from './transformers-library.js';

type Generator = (prompt: string, options: Record<string, unknown>) => Promise<unknown>;

/** transformers.js's `text-generation` pipeline on the same folder: greedy, exactly the tokens asked (`min_new_tokens`). */
export function createTextGenerationPipelineSubject(options: { model: string; prompt: string }): BenchSubject {
  let generator: Generator | undefined;
  let runtime = '@huggingface/transformers';
  return {
    role: 'pipeline',
    label: "pipeline('text-generation')",
    get runtime() {
      return runtime;
    },
    notes: ['greedy (do_sample false), max_new_tokens = min_new_tokens'],
    async load() {
      const { pipeline } = await loadTransformers();
      runtime = await transformersName();
      generator = (await pipeline('text-generation', options.model, localFolderOptions)) as unknown as Generator;
    },
    async generate(newTokens) {
      await generator!(options.prompt, { max_new_tokens: newTokens, min_new_tokens: newTokens, do_sample: false });
      return newTokens;
    },
    async dispose() {
      await (generator as unknown as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
    },
  };
}
