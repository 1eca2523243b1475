import {
  type InferenceSessionV1,
  InvalidModelError,
  type ItemOutcome,
  type LoadedSkillV1,
  modelFileForDtype,
  type SkillLoadContext,
} from '@accel/core';
import { buildTokenFeeds, encodeTexts, loadTokenizer, loadTransformers, onDemand } from '@accel/transformers-kit/encoders';
import { createPixelValuesReaderFromConfig, type ImageProcessorConfig, type PixelValues } from '@accel/transformers-kit/encoders';
import { itemInputError } from '@accel/core';
import type { ClipItem } from './clip-prepare.js';

interface ClipConfig {
  readonly text_config?: { readonly max_position_embeddings?: number; readonly pad_token_id?: number };
}

type ImageItem = Extract<ClipItem, { kind: 'image' }>;
type TextItem = Extract<ClipItem, { kind: 'text' }>;

/** Opens a tower's session and checks its graph; a session that fails the check is released before the error is thrown. */
async function openTower(context: SkillLoadContext, name: string, input: string, output: string): Promise<InferenceSessionV1> {
  const session = await context.createSession(name);
  if (session.inputNames.includes(input) && session.outputNames.includes(output)) return session;
  await session.release().catch(() => undefined);
  throw new InvalidModelError({
    model: context.model.id,
    file: modelFileForDtype(name, context.dtype),
    reason: `expected an input named ${input} and an output named ${output}, found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
  });
}

function rows(data: Float32Array, count: number): Float32Array[] {
  const width = data.length / count;
  return Array.from({ length: count }, (_, row) => data.slice(row * width, (row + 1) * width));
}

function describeImage(item: ImageItem): string {
  if (typeof item.image === 'string') return item.image;
  return item.index === undefined ? 'the image' : `image ${item.index}`;
}

/**
 * Loads CLIP's two towers — `onnx/text_model*.onnx` (`input_ids`, `attention_mask` → `text_embeds`)
 * and `onnx/vision_model*.onnx` (`pixel_values` → `image_embeds`) — with transformers.js's CLIP
 * tokenizer and CLIPImageProcessor. Each tower (with its tokenizer or image processor) loads on
 * the first batch that needs it, so image-only traffic never holds the text tower and text-only
 * traffic never the vision tower; with `preload` (`EndpointOptions.preload`) both load here.
 * Each item becomes its raw projection; images that fail to decode fail alone.
 */
export async function loadClipModel(context: SkillLoadContext): Promise<LoadedSkillV1<ClipItem, Float32Array>> {
  const config = await context.readJson<ClipConfig>('config.json');

  const textTower = onDemand(
    async () => {
      const tokenizer = await loadTokenizer(context);
      const session = await openTower(context, 'text_model', 'input_ids', 'text_embeds');
      const limits = [context.contextLength, config.text_config?.max_position_embeddings, tokenizer.model_max_length].filter(
        (limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 0,
      );
      const contextLength = Math.min(...limits, Number.MAX_SAFE_INTEGER);
      const padTokenId = tokenizer.pad_token_id ?? config.text_config?.pad_token_id ?? 0;
      return { tokenizer, session, contextLength, padTokenId };
    },
    (tower) => tower.session.release(),
  );

  const visionTower = onDemand(
    async () => {
      const processorConfig = await context.readJson<ImageProcessorConfig>('preprocessor_config.json');
      // CLIPImageProcessor's settings, read by the kit without importing transformers.js, which is
      // loaded only for settings or images the kit's fast route leaves to it. The reader (sharp's
      // import) starts while the session opens.
      const [opened, reader] = await Promise.allSettled([
        openTower(context, 'vision_model', 'pixel_values', 'image_embeds'),
        createPixelValuesReaderFromConfig(processorConfig, async () => {
          const { CLIPImageProcessor } = await loadTransformers();
          return new CLIPImageProcessor(processorConfig as ConstructorParameters<typeof CLIPImageProcessor>[0]);
        }),
      ]);
      if (opened.status === 'rejected') throw opened.reason;
      if (reader.status === 'rejected') {
        await opened.value.release().catch(() => undefined);
        throw reader.reason;
      }
      return { session: opened.value, toPixelValues: reader.value };
    },
    (tower) => tower.session.release(),
  );

  if (context.preload) {
    // Both at once; a failure is thrown once both settled, so every opened session is in the context's list the registry releases.
    const loads = await Promise.allSettled([textTower.get(), visionTower.get()]);
    const failed = loads.find((load): load is PromiseRejectedResult => load.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  async function embedTexts(items: readonly TextItem[]): Promise<ItemOutcome<Float32Array>[]> {
    const { tokenizer, session, contextLength, padTokenId } = await textTower.get();
    const { sequences, notes } = encodeTexts(tokenizer, items.map((item) => item.text), contextLength);
    const { feeds } = buildTokenFeeds(session.inputNames, sequences, padTokenId);
    const outputs = await session.run(feeds);
    return rows(outputs.text_embeds!.data as Float32Array, items.length).map((value, index) => {
      const note = notes[index];
      return note === undefined ? { ok: true, value } : { ok: true, value, notes: [note] };
    });
  }

  async function embedImages(items: readonly ImageItem[]): Promise<ItemOutcome<Float32Array>[]> {
    const { session, toPixelValues } = await visionTower.get();
    const decoded = await Promise.all(
      items.map(async (item): Promise<PixelValues | Error> => {
        try {
          return await toPixelValues(item.image);
        } catch (error) {
          return itemInputError(error, describeImage(item), 'preprocess', item.index);
        }
      }),
    );
    const ready = decoded.filter((entry): entry is PixelValues => !(entry instanceof Error));
    let embeddings: Float32Array[] = [];
    if (ready.length > 0) {
      const imageLength = ready[0]!.data.length;
      // One image is the batch as it is; more are copied into one tensor.
      let pixels = ready[0]!.data;
      const dims = [ready.length, ...ready[0]!.dims];
      if (ready.length > 1) {
        pixels = new Float32Array(ready.length * imageLength);
        ready.forEach((entry, row) => {
          pixels.set(entry.data, row * imageLength);
          toPixelValues.release?.(entry);
        });
      }
      try {
        const outputs = await session.run({ pixel_values: { type: 'float32', data: pixels, dims } });
        embeddings = rows(outputs.image_embeds!.data as Float32Array, ready.length);
      } finally {
        // The reader writes the next image into the same array (one array turned over per image starts frequent full collections).
        if (ready.length === 1) toPixelValues.release?.(ready[0]!);
      }
    }
    let next = 0;
    return decoded.map((entry) => (entry instanceof Error ? { ok: false, error: entry } : { ok: true, value: embeddings[next++]! }));
  }

  return {
    async run(items) {
      const outcomes = new Array<ItemOutcome<Float32Array>>(items.length);
      const place = (kind: ClipItem['kind'], results: ItemOutcome<Float32Array>[]) => {
        let next = 0;
        items.forEach((item, index) => {
          if (item.kind === kind) outcomes[index] = results[next++]!;
        });
      };
      const texts = items.filter((item): item is TextItem => item.kind === 'text');
      const images = items.filter((item): item is ImageItem => item.kind === 'image');
      // A batch needing both towers before either loaded loads them side by side.
      await Promise.all([texts.length > 0 ? textTower.get() : undefined, images.length > 0 ? visionTower.get() : undefined]);
      if (texts.length > 0) place('text', await embedTexts(texts));
      if (images.length > 0) place('image', await embedImages(images));
      return outcomes;
    },
    async dispose() {
      await Promise.all([textTower.dispose(), visionTower.dispose()]);
    },
  };
}
