import { InvalidModelError, type ItemOutcome, type LoadedSkillV1, type ProvenanceNote, type SkillLoadContext, type TensorLike } from '@accel/core';
import { loadTokenizer, loadTransformers } from '@accel/transformers-kit';
import { decodeAudio } from '@accel/core/media';
import { type AudioChunk, type FrameGeometry, frameCount, planChunks } from './chunk-plan.js';
import { argmaxFrames, collapseCtc, groupWords } from './ctc.js';
import type { Wav2Vec2Item } from './wav2vec2-prepare.js';
import type { Wav2Vec2EmbeddingSource, Wav2Vec2Transcription, Wav2Vec2Word } from './wav2vec2-schemas.js';

/** What `run` returns for one clip. */
export type Wav2Vec2Value =
  | { readonly kind: 'transcription'; readonly transcription: Wav2Vec2Transcription }
  | { readonly kind: 'embedding'; readonly embedding: Float32Array; readonly source: Wav2Vec2EmbeddingSource };

interface Wav2Vec2Config {
  readonly conv_kernel?: readonly number[];
  readonly conv_stride?: readonly number[];
  readonly pad_token_id?: number;
}

interface PreprocessorConfig {
  readonly sampling_rate?: number;
}

/** Most chunks (of equal length) stacked into one session run. */
const maxChunksPerRun = 8;

/** The conv stack's samples per frame and receptive field, from config.json (wav2vec2-base: 320 and 400). */
function frameGeometry(config: Wav2Vec2Config): FrameGeometry {
  const kernels = config.conv_kernel ?? [10, 3, 3, 3, 3, 2, 2];
  const strides = config.conv_stride ?? [5, 2, 2, 2, 2, 2, 2];
  let samplesPerFrame = 1;
  let receptiveField = 1;
  kernels.forEach((kernel, layer) => {
    receptiveField += (kernel - 1) * samplesPerFrame;
    samplesPerFrame *= strides[layer] ?? 1;
  });
  return { samplesPerFrame, receptiveField };
}

function roundToFrames(seconds: number, sampleRate: number, samplesPerFrame: number): number {
  return Math.round((seconds * sampleRate) / samplesPerFrame) * samplesPerFrame;
}

/** One decoded clip on its way through the batch. */
interface ClipWork {
  readonly item: Wav2Vec2Item;
  readonly samples: Float32Array;
  readonly duration: number;
  readonly chunks: readonly AudioChunk[];
  readonly totalFrames: number;
  /** Per chunk: the kept frames' best ids (transcribe) or the sum of the kept frames' vectors (embed). */
  readonly frameIds: Int32Array;
  readonly vectorSums: Array<Float64Array | undefined>;
}

/** A chunk of one clip to run. */
interface ChunkRow {
  readonly clip: ClipWork;
  readonly chunk: AudioChunk;
}

/**
 * Loads a Wav2Vec2ForCTC folder: `onnx/model*.onnx` (`input_values` → `logits`, optionally
 * `last_hidden_state`), the Wav2Vec2FeatureExtractor and the CTC tokenizer, both from transformers.js.
 */
export async function loadWav2Vec2Model(context: SkillLoadContext): Promise<LoadedSkillV1<Wav2Vec2Item, Wav2Vec2Value>> {
  const config = await context.readJson<Wav2Vec2Config>('config.json');
  const preprocessorConfig = await context.readJson<PreprocessorConfig & Record<string, unknown>>('preprocessor_config.json');
  const tokenizerConfig = await context.readJson<{ word_delimiter_token?: string }>('tokenizer_config.json');
  const tokenizer = await loadTokenizer(context);
  const { Wav2Vec2FeatureExtractor } = await loadTransformers();
  const extractor = new Wav2Vec2FeatureExtractor(preprocessorConfig);
  const sampleRate = preprocessorConfig.sampling_rate ?? 16_000;
  const geometry = frameGeometry(config);

  const session = await context.createSession('model');
  if (!session.inputNames.includes('input_values') || !session.outputNames.includes('logits')) {
    await session.release();
    throw new InvalidModelError({
      model: context.model.id,
      file: 'onnx/model.onnx',
      reason: `expected an input_values input and a logits output, found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    });
  }
  const embeddingSource: Wav2Vec2EmbeddingSource = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : 'logits';
  const vocabulary = tokenizer.get_vocab();
  const tokenText: string[] = [];
  for (const [token, id] of vocabulary) tokenText[id] = token;
  const padId = tokenizer.pad_token_id ?? config.pad_token_id ?? 0;
  const delimiterId = vocabulary.get(tokenizerConfig.word_delimiter_token ?? '|') ?? -1;
  const otherSpecialIds = new Set(tokenizer.all_special_ids.filter((id) => id !== padId));

  /** CTC text of a frame path through transformers.js's CTC decoder; special tokens other than the blank act as blanks. */
  const decodeText = (frameIds: Int32Array): string => {
    const ids = Array.from(frameIds, (id) => (otherSpecialIds.has(id) ? padId : id));
    if (ids.length === 0) return '';
    return tokenizer.decode(ids, { skip_special_tokens: false }).replace(/\s+/g, ' ').trim();
  };

  const wordsOf = (frameIds: Int32Array, duration: number): Wav2Vec2Word[] => {
    const seconds = (frame: number) => Math.min(duration, Math.round(((frame * geometry.samplesPerFrame) / sampleRate) * 1000) / 1000);
    return groupWords(collapseCtc(frameIds, padId), (id) => tokenText[id] ?? '', delimiterId, otherSpecialIds).map((word) => ({
      text: word.text,
      start: seconds(word.firstFrame),
      end: seconds(word.lastFrame + 1),
    }));
  };

  /** Normalises the rows' samples with the feature extractor (per chunk, as transformers does) and runs them stacked. */
  const runRows = async (rows: readonly ChunkRow[]) => {
    const length = rows[0]!.chunk.end - rows[0]!.chunk.start;
    const stacked = new Float32Array(rows.length * length);
    for (const [index, { clip, chunk }] of rows.entries()) {
      const { input_values } = await extractor._call(clip.samples.subarray(chunk.start, chunk.end));
      stacked.set(input_values.data as Float32Array, index * length);
    }
    const dims = [rows.length, length];
    const feeds: Record<string, TensorLike> = { input_values: { type: 'float32', data: stacked, dims } };
    if (session.inputNames.includes('attention_mask')) feeds.attention_mask = { type: 'int64', data: new BigInt64Array(rows.length * length).fill(1n), dims };
    const outputs = await session.run(feeds);
    const logits = outputs.logits!;
    const [, frames = 0, vocabularySize = 0] = logits.dims;
    const vectors = outputs[embeddingSource]!;
    const width = vectors.dims[2] ?? 0;
    rows.forEach((row, index) => {
      const { clip, chunk } = row;
      const offset = chunk.start / geometry.samplesPerFrame;
      const from = chunk.keepFrom - offset;
      const to = Math.min(frames, chunk.keepTo - offset);
      if (clip.item.task === 'transcribe') {
        const rowLogits = (logits.data as Float32Array).subarray(index * frames * vocabularySize, (index + 1) * frames * vocabularySize);
        clip.frameIds.set(argmaxFrames(rowLogits, vocabularySize, from, to), chunk.keepFrom);
      } else {
        const data = vectors.data as Float32Array;
        const sum = new Float64Array(width);
        for (let frame = from; frame < to; frame += 1) {
          const base = (index * frames + frame) * width;
          for (let unit = 0; unit < width; unit += 1) sum[unit]! += data[base + unit]!;
        }
        clip.vectorSums[clip.chunks.indexOf(chunk)] = sum;
      }
    });
  };

  return {
    async run(items) {
      const startedAt = performance.now();
      const decoded = await Promise.allSettled(items.map((item) => decodeAudio(item.source, sampleRate, item.index)));
      const clips = decoded.map((result, position): ClipWork | Error => {
        if (result.status === 'rejected') return result.reason instanceof Error ? result.reason : new Error(String(result.reason));
        const item = items[position]!;
        let samples = result.value.samples;
        if (samples.length < geometry.receptiveField) {
          const padded = new Float32Array(geometry.receptiveField);
          padded.set(samples);
          samples = padded;
        }
        const chunkSamples = roundToFrames(item.chunkLengthSeconds, sampleRate, geometry.samplesPerFrame);
        const strideSamples = Math.max(2 * geometry.samplesPerFrame, roundToFrames(item.strideLengthSeconds, sampleRate, geometry.samplesPerFrame));
        const chunks = planChunks(samples.length, chunkSamples, strideSamples, geometry);
        const totalFrames = frameCount(samples.length, geometry);
        return { item, samples, duration: result.value.duration, chunks, totalFrames, frameIds: new Int32Array(totalFrames).fill(padId), vectorSums: [] };
      });

      // Chunks of equal length run stacked; unequal lengths never share a run, so nothing is padded.
      const byLength = new Map<number, ChunkRow[]>();
      for (const clip of clips) {
        if (clip instanceof Error) continue;
        for (const chunk of clip.chunks) {
          const length = chunk.end - chunk.start;
          const group = byLength.get(length);
          if (group === undefined) byLength.set(length, [{ clip, chunk }]);
          else group.push({ clip, chunk });
        }
      }
      for (const group of byLength.values()) {
        for (let first = 0; first < group.length; first += maxChunksPerRun) await runRows(group.slice(first, first + maxChunksPerRun));
      }

      const audioSeconds = clips.reduce((total, clip) => total + (clip instanceof Error ? 0 : clip.duration), 0);
      const realtimeFactor = (performance.now() - startedAt) / 1000 / Math.max(audioSeconds, 1e-9);
      return clips.map((clip): ItemOutcome<Wav2Vec2Value> => {
        if (clip instanceof Error) return { ok: false, error: clip };
        const notes: ProvenanceNote[] = [];
        if (clip.chunks.length > 1) {
          notes.push({
            kind: 'info',
            message: `${clip.duration.toFixed(1)} s of audio ran in ${clip.chunks.length} chunks of ${clip.item.chunkLengthSeconds} s with ${clip.item.strideLengthSeconds} s of context at each inner edge`,
          });
        }
        const timings = { realtimeFactor };
        if (clip.item.task === 'embed') {
          const width = clip.vectorSums.find((sum) => sum !== undefined)?.length ?? 0;
          const total = new Float64Array(width);
          for (const sum of clip.vectorSums) if (sum !== undefined) sum.forEach((value, unit) => (total[unit]! += value));
          const embedding = Float32Array.from(total, (value) => value / Math.max(clip.totalFrames, 1));
          if (embeddingSource === 'logits') notes.push({ kind: 'info', message: 'the model has no last_hidden_state output, so the embedding is the mean of the CTC logits' });
          return { ok: true, value: { kind: 'embedding', embedding, source: embeddingSource }, notes, timings };
        }
        const text = decodeText(clip.frameIds);
        const transcription = {
          text,
          duration: clip.duration,
          chunks: clip.chunks.length,
          ...(clip.item.timestamps ? { words: wordsOf(clip.frameIds, clip.duration) } : {}),
        };
        return { ok: true, value: { kind: 'transcription', transcription }, notes, timings };
      });
    },
    dispose: () => session.release(),
  };
}
