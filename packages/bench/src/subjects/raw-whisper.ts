import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchSubject } from './bench-subject.js';
import type { OnnxRuntime, RuntimeSession, RuntimeTensor } from './onnx-runtime.js';
import { argmax } from './raw-decoder-loop.js';
import { loadTransformers } from './transformers-library.js';

interface GenerationConfig {
  readonly decoder_start_token_id: number;
  readonly lang_to_id?: Readonly<Record<string, number>>;
  readonly task_to_id?: Readonly<Record<string, number>>;
  readonly no_timestamps_token_id?: number;
  readonly is_multilingual?: boolean;
}

/**
 * Whisper's `encoder_model.onnx` and `decoder_model_merged.onnx` run directly: the log-mel
 * features are computed before timing, then one encoder run and a greedy decoder loop with
 * the KV cache for exactly the tokens asked (after the English/transcribe/no-timestamps prefix).
 */
export function createRawWhisperSubject(options: { runtime: OnnxRuntime; model: string; audio: Float32Array; newTokens: number }): BenchSubject {
  let encoder: RuntimeSession | undefined;
  let decoder: RuntimeSession | undefined;
  let features: RuntimeTensor | undefined;
  let prefix: bigint[] = [];
  const { runtime } = options;

  const emptyCache = (): Record<string, RuntimeTensor> => {
    const cache: Record<string, RuntimeTensor> = {};
    for (const metadata of decoder!.inputMetadata) {
      if (!metadata.name.startsWith('past_key_values.')) continue;
      const dims = (metadata.shape ?? []).map((dimension, axis) => (typeof dimension === 'number' ? dimension : axis === 0 ? 1 : 0));
      cache[metadata.name] = runtime.tensor('float32', new Float32Array(0), dims);
    }
    return cache;
  };

  return {
    role: 'onnxruntime',
    label: `${runtime.name.split(' ')[0]} encoder + greedy loop`,
    runtime: runtime.name,
    notes: [`log-mel computed before timing; encoder run + ${options.newTokens} greedy decoder steps with the KV cache`, runtime.sessionNote],
    async load() {
      const { AutoProcessor } = await loadTransformers();
      const processor = (await AutoProcessor.from_pretrained(options.model, { local_files_only: true })) as unknown as (audio: Float32Array) => Promise<{ input_features: { data: Float32Array; dims: number[] } }>;
      const { input_features: inputFeatures } = await processor(options.audio);
      features = runtime.tensor('float32', inputFeatures.data, inputFeatures.dims);
      const config = JSON.parse(await readFile(join(options.model, 'generation_config.json'), 'utf8')) as GenerationConfig;
      const forced = config.is_multilingual ? [config.lang_to_id?.['<|en|>'], config.task_to_id?.transcribe] : [];
      prefix = [config.decoder_start_token_id, ...forced, config.no_timestamps_token_id].filter((id): id is number => id !== undefined).map((id) => BigInt(id));
      encoder = await runtime.createSession(join(options.model, 'onnx', 'encoder_model.onnx'));
      decoder = await runtime.createSession(join(options.model, 'onnx', 'decoder_model_merged.onnx'));
    },
    async runSingle() {
      const { last_hidden_state: encoded } = await encoder!.run({ input_features: features! });
      let cache = emptyCache();
      let step = prefix;
      for (let token = 0; token < options.newTokens; token += 1) {
        const outputs = await decoder!.run({
          ...cache,
          input_ids: runtime.tensor('int64', BigInt64Array.from(step), [1, step.length]),
          encoder_hidden_states: encoded!,
          use_cache_branch: runtime.tensor('bool', Uint8Array.of(token === 0 ? 0 : 1), [1]),
        });
        const logits = outputs.logits!;
        const vocabulary = logits.dims[2]!;
        step = [BigInt(argmax(logits.data as Float32Array, (step.length - 1) * vocabulary, vocabulary))];
        const next: Record<string, RuntimeTensor> = {};
        for (const name of decoder!.outputNames) {
          if (!name.startsWith('present.')) continue;
          const input = name.replace('present.', 'past_key_values.');
          next[input] = token > 0 && name.includes('.encoder.') ? cache[input]! : outputs[name]!;
        }
        cache = next;
      }
    },
    async dispose() {
      await Promise.all([encoder?.release(), decoder?.release()]);
    },
  };
}
