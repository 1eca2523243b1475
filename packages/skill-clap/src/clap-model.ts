import { InvalidModelError, type ItemOutcome, type LoadedSkillV1, type ProvenanceNote, type SkillLoadContext, type TensorLike } from '@accel/core';
import { buildTokenFeeds, l2Normalize, loadTokenizer, loadTransformers, truncateKeepingLast } from '@accel/transformers-kit';
import { decodeAudio } from '@accel/core/media';
import type { ClapItem } from './clap-prepare.js';

/** What `run` returns for one item. Embeddings are L2-normalised. */
export type ClapValue =
  | { readonly kind: 'audio'; readonly embedding: Float32Array; readonly logits: number[] }
  | { readonly kind: 'text'; readonly embedding: Float32Array };

interface ClapConfig {
  readonly text_config?: { readonly max_position_embeddings?: number; readonly pad_token_id?: number };
}

interface ClapPreprocessorConfig {
  readonly sampling_rate?: number;
  readonly nb_max_samples?: number;
  readonly feature_size?: number;
}

/** Most audio windows stacked into one session run. */
const maxWindowsPerRun = 8;

/** Start samples of `count` windows of `window` samples spread evenly over `length` samples (first at 0, last ending at the end). */
export function windowStarts(length: number, window: number): number[] {
  if (length <= window) return [0];
  const count = Math.ceil(length / window);
  return Array.from({ length: count }, (_, index) => Math.round((index * (length - window)) / (count - 1)));
}

function rowsOf(tensor: TensorLike): Float32Array[] {
  const [rows = 0, width = 0] = tensor.dims;
  const data = tensor.data as Float32Array;
  return Array.from({ length: rows }, (_, row) => data.subarray(row * width, (row + 1) * width));
}

/** One decoded clip and the features of its windows. */
interface ClipWork {
  readonly item: Extract<ClapItem, { kind: 'audio' }>;
  readonly duration: number;
  readonly windows: Float32Array[];
}

/**
 * Loads a ClapModel folder: `onnx/model*.onnx` (`input_ids`, `attention_mask`, `input_features` →
 * `logits_per_audio`, `text_embeds`, `audio_embeds`), the RoBERTa tokenizer and the
 * ClapFeatureExtractor, both from transformers.js.
 */
export async function loadClapModel(context: SkillLoadContext): Promise<LoadedSkillV1<ClapItem, ClapValue>> {
  const config = await context.readJson<ClapConfig>('config.json');
  const preprocessorConfig = await context.readJson<ClapPreprocessorConfig & Record<string, unknown>>('preprocessor_config.json');
  const tokenizer = await loadTokenizer(context);
  const { ClapFeatureExtractor } = await loadTransformers();
  const extractor = new ClapFeatureExtractor(preprocessorConfig);
  const sampleRate = preprocessorConfig.sampling_rate ?? 48_000;
  const windowSamples = preprocessorConfig.nb_max_samples ?? sampleRate * 10;
  const melBins = preprocessorConfig.feature_size ?? 64;

  const session = await context.createSession('model');
  const missing = [
    ...['input_ids', 'input_features'].filter((name) => !session.inputNames.includes(name)),
    ...['logits_per_audio', 'text_embeds', 'audio_embeds'].filter((name) => !session.outputNames.includes(name)),
  ];
  if (missing.length > 0) {
    await session.release();
    throw new InvalidModelError({
      model: context.model.id,
      file: 'onnx/model.onnx',
      reason: `a ClapModel graph needs ${missing.join(', ')}; found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    });
  }
  const positionLimit = config.text_config?.max_position_embeddings;
  const limits = [context.contextLength, positionLimit === undefined ? undefined : positionLimit - 2, tokenizer.model_max_length].filter(
    (limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 2,
  );
  const contextLength = Math.min(...limits, Number.MAX_SAFE_INTEGER);
  const padTokenId = tokenizer.pad_token_id ?? config.text_config?.pad_token_id ?? 1;

  const features = async (samples: Float32Array) => (await extractor._call(samples)).input_features.data as Float32Array;
  let silence: Float32Array | undefined;
  /** The features of a silent window: the audio input of a batch that holds only texts. */
  const silentWindow = async () => (silence ??= await features(new Float32Array(windowSamples)));

  return {
    async run(items) {
      const audioItems = items.filter((item): item is Extract<ClapItem, { kind: 'audio' }> => item.kind === 'audio');
      const decoded = await Promise.allSettled(audioItems.map((item) => decodeAudio(item.source, sampleRate, item.index)));
      const clips = new Map<ClapItem, ClipWork | Error>();
      for (const [position, result] of decoded.entries()) {
        const item = audioItems[position]!;
        if (result.status === 'rejected') {
          clips.set(item, result.reason instanceof Error ? result.reason : new Error(String(result.reason)));
          continue;
        }
        const { samples, duration } = result.value;
        const windows: Float32Array[] = [];
        // ClapFeatureExtractor pads shorter audio by repetition; longer audio is never handed to it
        // (its rand_trunc would crop at random): it is split into evenly spaced full windows instead.
        for (const start of windowStarts(samples.length, windowSamples)) windows.push(await features(samples.subarray(start, start + windowSamples)));
        clips.set(item, { item, duration, windows });
      }

      // Every distinct text of the batch (texts to embed and prompts to score) is encoded once.
      const columns = new Map<string, number>();
      for (const item of items) for (const text of item.kind === 'text' ? [item.text] : item.prompts) if (!columns.has(text)) columns.set(text, columns.size);
      const truncated = new Set<string>();
      const sequences = [...columns.keys()].map((text) => {
        const tokens = tokenizer.encode(text);
        const kept = truncateKeepingLast(tokens, contextLength);
        if (kept.length < tokens.length) truncated.add(text);
        return kept;
      });
      if (sequences.length === 0) sequences.push(tokenizer.encode(''));
      const { feeds: textFeeds } = buildTokenFeeds(session.inputNames, sequences, padTokenId);

      const windows = [...clips.values()].flatMap((clip) => (clip instanceof Error ? [] : clip.windows));
      if (windows.length === 0) windows.push(await silentWindow());
      const frameSize = windows[0]!.length;
      const audioEmbeddings: Float32Array[] = [];
      const logitRows: Float32Array[] = [];
      let textEmbeddings: Float32Array[] = [];
      for (let first = 0; first < windows.length; first += maxWindowsPerRun) {
        const slice = windows.slice(first, first + maxWindowsPerRun);
        const stacked = new Float32Array(slice.length * frameSize);
        slice.forEach((window, index) => stacked.set(window, index * frameSize));
        const outputs = await session.run({
          ...textFeeds,
          input_features: { type: 'float32', data: stacked, dims: [slice.length, 1, frameSize / melBins, melBins] },
        });
        audioEmbeddings.push(...rowsOf(outputs.audio_embeds!));
        logitRows.push(...rowsOf(outputs.logits_per_audio!));
        if (first === 0) textEmbeddings = rowsOf(outputs.text_embeds!);
      }

      let row = 0;
      const audioValues = new Map<ClapItem, ClapValue>();
      for (const clip of clips.values()) {
        if (clip instanceof Error) continue;
        const count = clip.windows.length;
        const sum = new Float32Array(audioEmbeddings[row]!.length);
        const logits = clip.item.prompts.map(() => 0);
        for (let window = 0; window < count; window += 1, row += 1) {
          audioEmbeddings[row]!.forEach((value, unit) => (sum[unit]! += value));
          clip.item.prompts.forEach((prompt, index) => (logits[index]! += logitRows[row]![columns.get(prompt)!]! / count));
        }
        audioValues.set(clip.item, { kind: 'audio', embedding: l2Normalize(sum), logits });
      }

      return items.map((item): ItemOutcome<ClapValue> => {
        const notes: ProvenanceNote[] = [];
        if (item.kind === 'text') {
          if (truncated.has(item.text)) notes.push({ kind: 'truncated', message: `the text was cut to ${contextLength} tokens (the context length)` });
          return { ok: true, value: { kind: 'text', embedding: l2Normalize(Float32Array.from(textEmbeddings[columns.get(item.text)!]!)) }, notes };
        }
        const clip = clips.get(item)!;
        if (clip instanceof Error) return { ok: false, error: clip };
        if (clip.windows.length > 1) {
          notes.push({ kind: 'info', message: `${clip.duration.toFixed(1)} s of audio ran as ${clip.windows.length} evenly spaced ${windowSamples / sampleRate} s windows, averaged` });
        }
        const cut = item.prompts.filter((prompt) => truncated.has(prompt));
        if (cut.length > 0) notes.push({ kind: 'truncated', message: `${cut.length} prompt(s) cut to ${contextLength} tokens (the context length)` });
        return { ok: true, value: audioValues.get(item)!, notes };
      });
    },
    dispose: () => session.release(),
  };
}
