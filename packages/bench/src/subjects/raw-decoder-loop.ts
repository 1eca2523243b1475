import { join } from 'node:path';
import type { BenchSubject } from './bench-subject.js';
import type { OnnxRuntime, RuntimeSession, RuntimeTensor } from './onnx-runtime.js';
import { loadTransformers } from './transformers-library.js';

/** Index of the largest value in `values[start, start + length)`, relative to `start`. */
export function argmax(values: Float32Array, start: number, length: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let index = 0; index < length; index += 1) {
    const value = values[start + index]!;
    if (value > bestValue) {
      bestValue = value;
      best = index;
    }
  }
  return best;
}

/**
 * A decoder-only model's `onnx/model.onnx` (GPT-2 layout: `input_ids`, `attention_mask`,
 * `position_ids`, `past_key_values.N.key|value` → `logits`, `present.N.key|value`) driven by
 * a plain greedy loop with the KV cache: the prompt is tokenized before timing, and every step
 * is one `session.run` plus an argmax. It never stops early, so it always generates the tokens asked.
 */
export function createRawDecoderLoopSubject(options: { runtime: OnnxRuntime; model: string; prompt: string ; file?: string }): BenchSubject {
  let session: RuntimeSession | undefined;
  let promptIds: bigint[] = [];
  const { runtime } = options;
  const int64 = (values: readonly bigint[], dims: readonly number[]) => runtime.tensor('int64', BigInt64Array.from(values), dims);

  const emptyCache = (): Record<string, RuntimeTensor> => {
    const cache: Record<string, RuntimeTensor> = {};
    for (const metadata of session!.inputMetadata) {
      if (!metadata.name.startsWith('past_key_values.')) continue;
      const dims = (metadata.shape ?? []).map((dimension, axis) => (typeof dimension === 'number' ? dimension : axis === 0 ? 1 : 0));
      cache[metadata.name] = runtime.tensor('float32', new Float32Array(0), dims);
    }
    return cache;
  };

  return {
    role: 'onnxruntime',
    label: `${runtime.name.split(' ')[0]} greedy loop`,
    runtime: runtime.name,
    notes: ['prompt tokenized before timing; session.run + argmax per token, KV cache', runtime.sessionNote, ...(options.file ? [options.file] : [])],
    async load() {
      const { AutoTokenizer } = await loadTransformers();
      const tokenizer = await AutoTokenizer.from_pretrained(options.model, { local_files_only: true });
      promptIds = (tokenizer.encode(options.prompt) as number[]).map((id) => BigInt(id));
      session = await runtime.createSession(join(options.model, options.file ?? 'onnx/model.onnx'));
    },
    async generate(newTokens) {
      let cache = emptyCache();
      let step = promptIds;
      let length = 0;
      for (let token = 0; token < newTokens; token += 1) {
        const feeds: Record<string, RuntimeTensor> = {
          ...cache,
          input_ids: int64(step, [1, step.length]),
          attention_mask: int64(Array.from({ length: length + step.length }, () => 1n), [1, length + step.length]),
        };
        if (session!.inputNames.includes('position_ids')) feeds.position_ids = int64(Array.from(step, (_, index) => BigInt(length + index)), [1, step.length]);
        const outputs = await session!.run(feeds);
        const logits = outputs.logits!;
        const vocabulary = logits.dims[2]!;
        const next = argmax(logits.data as Float32Array, (step.length - 1) * vocabulary, vocabulary);
        length += step.length;
        step = [BigInt(next)];
        cache = {};
        for (const name of session!.outputNames) if (name.startsWith('present.')) cache[name.replace('present.', 'past_key_values.')] = outputs[name]!;
      }
      return newTokens;
    },
    async dispose() {
      await session?.release();
    },
  };
}
