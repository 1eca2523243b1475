import { join } from 'node:path';
import type { BenchSubject } from './bench-subject.js';
import type { OnnxRuntime, RuntimeSession, RuntimeTensor } from './onnx-runtime.js';
import { loadTransformers } from './transformers-library.js';

interface TokenizerOutput {
  readonly input_ids: { readonly data: BigInt64Array; readonly dims: readonly number[] };
  readonly attention_mask: { readonly data: BigInt64Array; readonly dims: readonly number[] };
}

/**
 * A BERT-style encoder's `onnx/model.onnx` run directly: the texts are tokenized and the
 * tensors built before timing starts, so only `session.run` is timed (no pooling).
 */
export function createRawTextEncoderSubject(options: {
  runtime: OnnxRuntime;
  model: string;
  /** The texts requests pick from; a function is read at each request (a sweep changes them between points). */
  texts: readonly string[] | (() => readonly string[]);
  file?: string;
}): BenchSubject {
  let session: RuntimeSession | undefined;
  let tokenize: ((texts: string[]) => TokenizerOutput) | undefined;
  const feedsBySize = new Map<string, Record<string, RuntimeTensor>>();

  const feeds = (texts: readonly string[]): Record<string, RuntimeTensor> => {
    const key = texts.join('\n');
    const cached = feedsBySize.get(key);
    if (cached) return cached;
    const encoded = tokenize!([...texts]);
    const dims = encoded.input_ids.dims;
    const built: Record<string, RuntimeTensor> = {
      input_ids: options.runtime.tensor('int64', encoded.input_ids.data, dims),
      attention_mask: options.runtime.tensor('int64', encoded.attention_mask.data, dims),
    };
    if (session!.inputNames.includes('token_type_ids')) built.token_type_ids = options.runtime.tensor('int64', new BigInt64Array(encoded.input_ids.data.length), dims);
    feedsBySize.set(key, built);
    return built;
  };
  const pick = (start: number, count: number) => {
    const texts = typeof options.texts === 'function' ? options.texts() : options.texts;
    return Array.from({ length: count }, (_, offset) => texts[(start + offset) % texts.length]!);
  };

  return {
    role: 'onnxruntime',
    label: `${options.runtime.name.split(' ')[0]} session.run`,
    runtime: options.runtime.name,
    notes: ['prepared tensors, session.run only', options.runtime.sessionNote, ...(options.file ? [options.file] : [])],
    async load() {
      const { AutoTokenizer } = await loadTransformers();
      const tokenizer = await AutoTokenizer.from_pretrained(options.model, { local_files_only: true });
      tokenize = (texts) => tokenizer(texts, { padding: true, truncation: true }) as unknown as TokenizerOutput;
      session = await options.runtime.createSession(join(options.model, options.file ?? 'onnx/model.onnx'));
    },
    async runSingle(index) {
      await session!.run(feeds(pick(index, 1)));
    },
    async runBatch(size) {
      await session!.run(feeds(pick(0, size)));
    },
    async dispose() {
      await session?.release();
    },
  };
}
