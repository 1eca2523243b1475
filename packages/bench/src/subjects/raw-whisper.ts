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

/** How the raw peer cuts long audio: windows decoded together, in runs of at most `windowsPerRun` (accel's skill does the same). */
export interface RawWhisperWindows {
  /** The windows' samples, in order (each one padded to 30 s by the feature extractor). */
  readonly split: (audio: Float32Array) => readonly Float32Array[];
  /** Windows per encoder run and decoder loop (a batch of that many rows). */
  readonly windowsPerRun: number;
}

/**
 * Whisper's `encoder_model.onnx` and `decoder_model_merged.onnx` run directly: the log-mel
 * features are computed before timing, then one encoder run and a greedy decoder loop with
 * the KV cache for exactly the tokens asked (after the English/transcribe/no-timestamps prefix).
 * With `windows`, the audio is cut into windows and each run of up to `windowsPerRun` windows is one
 * batched encoder run and one batched greedy loop (every row decodes exactly the tokens asked).
 * `audio` may be a function, read at each request (a sweep changes it between points); the
 * features of an audio not seen before are computed on its first request, so warm it up first.
 */
export function createRawWhisperSubject(options: {
  runtime: OnnxRuntime;
  model: string;
  audio: Float32Array | (() => Float32Array);
  newTokens: number;
  windows?: RawWhisperWindows;
}): BenchSubject {
  let encoder: RuntimeSession | undefined;
  let decoder: RuntimeSession | undefined;
  let extract: ((audio: Float32Array) => Promise<{ data: Float32Array; dims: number[] }>) | undefined;
  const featuresByAudio = new WeakMap<Float32Array, RuntimeTensor[]>();
  let prefix: bigint[] = [];
  const { runtime } = options;
  const currentAudio = () => (typeof options.audio === 'function' ? options.audio() : options.audio);

  /** The log-mel features of each run of windows of `audio`: one tensor of [windows, mel bins, frames] per run. */
  const featuresOf = async (audio: Float32Array): Promise<RuntimeTensor[]> => {
    const known = featuresByAudio.get(audio);
    if (known) return known;
    const windows = options.windows ? options.windows.split(audio) : [audio];
    const perRun = options.windows?.windowsPerRun ?? 1;
    const runs: RuntimeTensor[] = [];
    for (let start = 0; start < windows.length; start += perRun) {
      const features = await Promise.all(windows.slice(start, start + perRun).map((window) => extract!(window)));
      const [, ...shape] = features[0]!.dims;
      const data = new Float32Array(features.reduce((total, entry) => total + entry.data.length, 0));
      features.reduce((offset, entry) => (data.set(entry.data, offset), offset + entry.data.length), 0);
      runs.push(runtime.tensor('float32', data, [features.length, ...shape]));
    }
    featuresByAudio.set(audio, runs);
    return runs;
  };

  const emptyCache = (rows: number): Record<string, RuntimeTensor> => {
    const cache: Record<string, RuntimeTensor> = {};
    for (const metadata of decoder!.inputMetadata) {
      if (!metadata.name.startsWith('past_key_values.')) continue;
      const dims = (metadata.shape ?? []).map((dimension, axis) => (typeof dimension === 'number' ? dimension : axis === 0 ? rows : 0));
      cache[metadata.name] = runtime.tensor('float32', new Float32Array(0), dims);
    }
    return cache;
  };

  /** One encoder run and a greedy loop of `newTokens` steps over a batch of windows. */
  const decode = async (features: RuntimeTensor): Promise<void> => {
    const rows = features.dims[0]!;
    const { last_hidden_state: encoded } = await encoder!.run({ input_features: features });
    let cache = emptyCache(rows);
    let steps: bigint[][] = Array.from({ length: rows }, () => prefix);
    for (let token = 0; token < options.newTokens; token += 1) {
      const width = steps[0]!.length;
      const outputs = await decoder!.run({
        ...cache,
        input_ids: runtime.tensor('int64', BigInt64Array.from(steps.flat()), [rows, width]),
        encoder_hidden_states: encoded!,
        use_cache_branch: runtime.tensor('bool', Uint8Array.of(token === 0 ? 0 : 1), [1]),
      });
      const logits = outputs.logits!;
      const vocabulary = logits.dims[2]!;
      steps = steps.map((_, row) => [BigInt(argmax(logits.data as Float32Array, (row * width + width - 1) * vocabulary, vocabulary))]);
      const next: Record<string, RuntimeTensor> = {};
      for (const name of decoder!.outputNames) {
        if (!name.startsWith('present.')) continue;
        const input = name.replace('present.', 'past_key_values.');
        next[input] = token > 0 && name.includes('.encoder.') ? cache[input]! : outputs[name]!;
      }
      cache = next;
    }
  };

  return {
    role: 'onnxruntime',
    label: `${runtime.name.split(' ')[0]} encoder + greedy loop`,
    runtime: runtime.name,
    notes: [
      `log-mel computed before timing; encoder run + ${options.newTokens} greedy decoder steps with the KV cache`,
      ...(options.windows ? [`audio cut into accel's windows, up to ${options.windows.windowsPerRun} per batched encoder run and greedy loop; every window decodes exactly ${options.newTokens} tokens`] : []),
      runtime.sessionNote,
    ],
    async load() {
      const { AutoProcessor } = await loadTransformers();
      const processor = (await AutoProcessor.from_pretrained(options.model, { local_files_only: true })) as unknown as (audio: Float32Array) => Promise<{ input_features: { data: Float32Array; dims: number[] } }>;
      extract = async (audio) => (await processor(audio)).input_features;
      const config = JSON.parse(await readFile(join(options.model, 'generation_config.json'), 'utf8')) as GenerationConfig;
      const forced = config.is_multilingual ? [config.lang_to_id?.['<|en|>'], config.task_to_id?.transcribe] : [];
      prefix = [config.decoder_start_token_id, ...forced, config.no_timestamps_token_id].filter((id): id is number => id !== undefined).map((id) => BigInt(id));
      if (typeof options.audio !== 'function') await featuresOf(options.audio);
      encoder = await runtime.createSession(join(options.model, 'onnx', 'encoder_model.onnx'));
      decoder = await runtime.createSession(join(options.model, 'onnx', 'decoder_model_merged.onnx'));
    },
    async runSingle() {
      for (const features of await featuresOf(currentAudio())) await decode(features);
    },
    async dispose() {
      await Promise.all([encoder?.release(), decoder?.release()]);
    },
  };
}
