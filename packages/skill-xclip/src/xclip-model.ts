import {
  type InferenceSessionV1,
  InvalidModelError,
  type ItemOutcome,
  type LoadedSkillV1,
  modelFileForDtype,
  type ProvenanceNote,
  type SkillLoadContext,
} from '@accel/core';
import { buildTokenFeeds, loadTokenizer, truncateKeepingLast } from '@accel/transformers-kit';
import type { ImageProcessor } from '@huggingface/transformers';
import { createPixelValuesReader, type PixelValues } from '@accel/transformers-kit';
import { itemInputError } from '@accel/core';
import { loadTransformers, softmax } from '@accel/transformers-kit';
import type { XclipItem } from './xclip-prepare.js';
import type { XclipValue } from './xclip-assemble.js';

interface XclipConfig {
  readonly text_config?: { readonly max_position_embeddings?: number; readonly pad_token_id?: number };
  readonly vision_config?: { readonly num_frames?: number };
}

type ProcessorConfig = ConstructorParameters<typeof ImageProcessor>[0];
type VideoItem = Extract<XclipItem, { kind: 'video' }>;

/** The default frame count of X-CLIP base checkpoints. */
export const defaultXclipFrameCount = 8;

function checkSession(context: SkillLoadContext, session: InferenceSessionV1, name: string, inputs: readonly string[], outputs: readonly string[]): void {
  if (inputs.every((input) => session.inputNames.includes(input)) && outputs.every((output) => session.outputNames.includes(output))) return;
  throw new InvalidModelError({
    model: context.model.id,
    file: modelFileForDtype(name, context.dtype),
    reason: `expected inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}] (see the @accel/skill-xclip graph contract), found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
  });
}

function frameCountOf(context: SkillLoadContext, session: InferenceSessionV1, config: XclipConfig): number {
  const declared = session.inputMetadata.find((input) => input.name === 'pixel_values')?.shape?.[1];
  const configured = config.vision_config?.num_frames;
  if (typeof declared === 'number' && configured !== undefined && declared !== configured) {
    throw new InvalidModelError({
      model: context.model.id,
      file: modelFileForDtype('vision_model', context.dtype),
      reason: `pixel_values takes ${declared} frames but config.json says vision_config.num_frames = ${configured}`,
    });
  }
  return typeof declared === 'number' ? declared : (configured ?? defaultXclipFrameCount);
}

function rows(data: Float32Array, count: number): Float32Array[] {
  const width = data.length / count;
  return Array.from({ length: count }, (_, row) => data.slice(row * width, (row + 1) * width));
}

function stack(parts: readonly Float32Array[]): Float32Array {
  const stacked = new Float32Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    stacked.set(part, offset);
    offset += part.length;
  }
  return stacked;
}

function describeVideo(item: VideoItem): string {
  if (typeof item.video === 'string') return item.video;
  return item.index === undefined ? 'the video' : `video ${item.index}`;
}

interface DecodedVideo {
  readonly pixels: Float32Array;
  readonly frameDims: readonly number[];
}

/**
 * Loads X-CLIP in the skill's graph contract — `onnx/text_model*.onnx`, `onnx/vision_model*.onnx`
 * and `onnx/prompt_model*.onnx` — with the CLIP tokenizer and a transformers.js ImageProcessor
 * applied to every frame. Videos are sampled to the model's frame count; a video that fails to
 * decode fails alone. Zero-shot videos get their labels' probabilities from `logits_per_video`.
 */
export async function loadXclipModel(context: SkillLoadContext): Promise<LoadedSkillV1<XclipItem, XclipValue>> {
  const config = await context.readJson<XclipConfig>('config.json');
  const processorConfig = await context.readJson<ProcessorConfig>('preprocessor_config.json');
  const tokenizer = await loadTokenizer(context);
  const textSession = await context.createSession('text_model');
  checkSession(context, textSession, 'text_model', ['input_ids'], ['text_embeds']);
  const visionSession = await context.createSession('vision_model');
  checkSession(context, visionSession, 'vision_model', ['pixel_values'], ['video_embeds', 'visual_tokens']);
  const promptSession = await context.createSession('prompt_model');
  checkSession(context, promptSession, 'prompt_model', ['text_embeds', 'video_embeds', 'visual_tokens'], ['logits_per_video']);
  const frameCount = frameCountOf(context, visionSession, config);

  const { ImageProcessor } = await loadTransformers();
  const toPixelValues = await createPixelValuesReader(new ImageProcessor(processorConfig));
  const { readVideoFrames } = await import('@accel/core/media');

  const limits = [context.contextLength, config.text_config?.max_position_embeddings, tokenizer.model_max_length].filter(
    (limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 0,
  );
  const contextLength = Math.min(...limits, Number.MAX_SAFE_INTEGER);
  const padTokenId = tokenizer.pad_token_id ?? config.text_config?.pad_token_id ?? 0;

  /** Embeds distinct texts; returns each text's raw projection and, if it was cut, a note. */
  async function embedTexts(texts: readonly string[]): Promise<Map<string, { embedding: Float32Array; note?: ProvenanceNote }>> {
    const embedded = new Map<string, { embedding: Float32Array; note?: ProvenanceNote }>();
    if (texts.length === 0) return embedded;
    const notes: Array<ProvenanceNote | undefined> = [];
    const sequences = texts.map((text) => {
      const tokens = tokenizer.encode(text);
      const kept = truncateKeepingLast(tokens, contextLength);
      notes.push(kept.length < tokens.length ? { kind: 'truncated', message: `truncated from ${tokens.length} to ${contextLength} tokens (the context length)` } : undefined);
      return kept;
    });
    const { feeds } = buildTokenFeeds(textSession.inputNames, sequences, padTokenId);
    const outputs = await textSession.run(feeds);
    rows(outputs.text_embeds!.data as Float32Array, texts.length).forEach((embedding, index) => {
      const note = notes[index];
      embedded.set(texts[index]!, note === undefined ? { embedding } : { embedding, note });
    });
    return embedded;
  }

  async function decodeVideo(item: VideoItem): Promise<DecodedVideo | Error> {
    try {
      const frames = await readVideoFrames(item.video, { frameCount });
      const pixels: PixelValues[] = [];
      for (const frame of frames) pixels.push(await toPixelValues(frame));
      return { pixels: stack(pixels.map((entry) => entry.data)), frameDims: pixels[0]!.dims };
    } catch (error) {
      return itemInputError(error, describeVideo(item), 'read', item.index);
    }
  }

  return {
    async run(items) {
      const outcomes = new Array<ItemOutcome<XclipValue>>(items.length);
      const videoIndices = items.flatMap((item, index) => (item.kind === 'video' ? [index] : []));
      const decoded = await Promise.all(videoIndices.map((index) => decodeVideo(items[index] as VideoItem)));
      const ready: Array<{ index: number; video: DecodedVideo }> = [];
      decoded.forEach((video, position) => {
        const index = videoIndices[position]!;
        if (video instanceof Error) outcomes[index] = { ok: false, error: video };
        else ready.push({ index, video });
      });

      const prompted = ready.filter(({ index }) => (items[index] as VideoItem).prompts !== undefined);
      const texts = new Set<string>();
      items.forEach((item) => {
        if (item.kind === 'text') texts.add(item.text);
      });
      for (const { index } of prompted) for (const prompt of (items[index] as VideoItem).prompts!) texts.add(prompt);
      const embedded = await embedTexts([...texts]);
      items.forEach((item, index) => {
        if (item.kind !== 'text') return;
        const { embedding, note } = embedded.get(item.text)!;
        outcomes[index] = note === undefined ? { ok: true, value: { embedding } } : { ok: true, value: { embedding }, notes: [note] };
      });
      if (ready.length === 0) return outcomes;

      const vision = await visionSession.run({
        pixel_values: { type: 'float32', data: stack(ready.map(({ video }) => video.pixels)), dims: [ready.length, frameCount, ...ready[0]!.video.frameDims] },
      });
      const videoEmbeds = rows(vision.video_embeds!.data as Float32Array, ready.length);
      const visualTokens = rows(vision.visual_tokens!.data as Float32Array, ready.length);
      const scores = new Map<number, number[]>();
      if (prompted.length > 0) {
        const promptTexts = [...new Set(prompted.flatMap(({ index }) => (items[index] as VideoItem).prompts!))];
        const column = new Map(promptTexts.map((text, position) => [text, position]));
        const rowOf = new Map(ready.map(({ index }, position) => [index, position]));
        const projection = videoEmbeds[0]!.length;
        const tokenDims = vision.visual_tokens!.dims.slice(1);
        const outputs = await promptSession.run({
          text_embeds: { type: 'float32', data: stack(promptTexts.map((text) => embedded.get(text)!.embedding)), dims: [promptTexts.length, projection] },
          video_embeds: { type: 'float32', data: stack(prompted.map(({ index }) => videoEmbeds[rowOf.get(index)!]!)), dims: [prompted.length, projection] },
          visual_tokens: { type: 'float32', data: stack(prompted.map(({ index }) => visualTokens[rowOf.get(index)!]!)), dims: [prompted.length, ...tokenDims] },
        });
        const logits = rows(outputs.logits_per_video!.data as Float32Array, prompted.length);
        prompted.forEach(({ index }, row) => {
          const own = (items[index] as VideoItem).prompts!.map((prompt) => logits[row]![column.get(prompt)!]!);
          scores.set(index, softmax(own));
        });
      }
      ready.forEach(({ index }, position) => {
        const item = items[index] as VideoItem;
        const promptNotes = (item.prompts ?? []).flatMap((prompt) => {
          const note = embedded.get(prompt)?.note;
          return note === undefined ? [] : [{ kind: 'truncated' as const, message: `the label sentence ${JSON.stringify(prompt)} was ${note.message}` }];
        });
        const own = scores.get(index);
        const value: XclipValue = own === undefined ? { embedding: videoEmbeds[position]! } : { embedding: videoEmbeds[position]!, scores: own };
        outcomes[index] = promptNotes.length === 0 ? { ok: true, value } : { ok: true, value, notes: promptNotes };
      });
      return outcomes;
    },
    async dispose() {
      await Promise.all([textSession.release(), visionSession.release(), promptSession.release()]);
    },
  };
}
