import type { BenchSubject } from './bench-subject.js';
import { loadTransformers, localFolderOptions, transformersName } from './transformers-library.js';

type Extractor = (texts: string | string[], options: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<unknown>;

/**
 * transformers.js's `feature-extraction` pipeline on the same folder, called as a user would,
 * with the pooling and normalisation the skill applies. Concurrency is the naive
 * `Promise.all` of single calls.
 */
export function createFeatureExtractionPipelineSubject(options: {
  model: string;
  texts: readonly string[];
  pooling: 'mean' | 'cls';
  normalize: boolean;
}): BenchSubject {
  let extractor: Extractor | undefined;
  let runtime = '@huggingface/transformers';
  const call = (texts: string | string[]) => extractor!(texts, { pooling: options.pooling, normalize: options.normalize });
  const pick = (start: number, count: number) => Array.from({ length: count }, (_, offset) => options.texts[(start + offset) % options.texts.length]!);
  return {
    role: 'pipeline',
    label: "pipeline('feature-extraction')",
    get runtime() {
      return runtime;
    },
    notes: [`pooling ${options.pooling}${options.normalize ? ', normalized' : ''}; concurrency: Promise.all of single calls`],
    async load() {
      const { pipeline } = await loadTransformers();
      runtime = await transformersName();
      extractor = (await pipeline('feature-extraction', options.model, localFolderOptions)) as unknown as Extractor;
    },
    async runSingle(index) {
      await call(pick(index, 1)[0]!);
    },
    async runBatch(size) {
      await call(pick(0, size));
    },
    async runConcurrent(count) {
      await Promise.all(pick(0, count).map((text) => call(text)));
      return undefined;
    },
    async dispose() {
      await (extractor as unknown as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
    },
  };
}
