import { generateRows, type GenerationModel, type GenerationTokenizer } from '../generate-rows.js';
import { InvalidInputError, type ItemControl, type ItemOutcome, type ProvenanceNote } from '@accel/core';
import { encodeImagePrompt, type ImagePromptTokenizer, type ImageTokens } from './image-prompt.js';
import { leftPadPrompts } from './prompt-batch.js';
import type { VisionLanguageItem, VisionLanguageOutput } from './vision-language-request.js';

/** An item's images, ready for the vision encoder. */
export interface EncodedImages {
  /** Pixel values of every vision input (an image, or a tile of one), [count, 3, height, width], flattened. */
  readonly pixelValues: Float32Array;
  readonly count: number;
  /** [height, width] of one vision input. */
  readonly inputSize: readonly [number, number];
  /** Image tokens each image takes in the prompt, in order. */
  readonly featureCounts: readonly number[];
  /** [height, width] of each image as decoded, in order. */
  readonly imageSizes: ReadonlyArray<readonly [number, number]>;
}

/** The transformers.js `Tensor` constructor. */
export type TensorConstructor = new (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: number[]) => unknown;

export interface VisionLanguageBatchOptions {
  readonly model: GenerationModel;
  readonly tokenizer: ImagePromptTokenizer & GenerationTokenizer;
  readonly Tensor: TensorConstructor;
  readonly modelId: string;
  readonly imageTokens: ImageTokens;
  readonly contextLength: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  /** Decodes and preprocesses an item's images; an `InvalidInputError` fails that item alone. */
  readonly encodeImages: (item: VisionLanguageItem) => Promise<EncodedImages>;
  /** Also pass `image_sizes` [images, 2] (int64, height and width) to `generate`. */
  readonly passImageSizes?: boolean;
}

interface ReadyRow {
  readonly index: number;
  readonly prompt: number[];
  readonly images: EncodedImages;
  readonly maxNewTokens: number;
  readonly notes: ProvenanceNote[];
}

/**
 * Runs one batch of vision-language items: each item's images are decoded and its prompt encoded
 * on its own (a bad image or an over-long prompt fails only that item), then every remaining row
 * generates in one left-padded `generate` call through the kit's `generateRows`.
 */
export async function runVisionLanguageBatch(
  items: readonly VisionLanguageItem[],
  controls: readonly ItemControl[],
  options: VisionLanguageBatchOptions,
): Promise<ItemOutcome<VisionLanguageOutput>[]> {
  const outcomes: Array<ItemOutcome<VisionLanguageOutput> | undefined> = items.map(() => undefined);
  const rows: ReadyRow[] = [];
  for (const [index, item] of items.entries()) {
    try {
      const images = await options.encodeImages(item);
      const prompt = encodeImagePrompt(options.tokenizer, item, options.imageTokens, images.featureCounts, options.modelId);
      const room = options.contextLength - prompt.length;
      if (room <= 0) {
        const imageTokens = images.featureCounts.reduce((sum, count) => sum + count, 0);
        throw new InvalidInputError({ reason: `the prompt takes ${prompt.length} tokens (${imageTokens} of them for ${images.featureCounts.length} image(s)); the context holds ${options.contextLength}` });
      }
      const maxNewTokens = Math.min(item.options.maxNewTokens, room);
      const notes: ProvenanceNote[] =
        maxNewTokens < item.options.maxNewTokens
          ? [{ kind: 'truncated', message: `maxNewTokens lowered from ${item.options.maxNewTokens} to ${maxNewTokens}: the prompt takes ${prompt.length} of the ${options.contextLength}-token context` }]
          : [];
      rows.push({ index, prompt, images, maxNewTokens, notes });
    } catch (error) {
      if (!InvalidInputError.isInstance(error)) throw error;
      outcomes[index] = { ok: false, error };
    }
  }

  if (rows.length > 0) {
    const { Tensor } = options;
    const batch = leftPadPrompts(rows.map((row) => row.prompt), options.padTokenId);
    const [height, width] = rows[0]!.images.inputSize;
    const pixelValues = new Float32Array(rows.reduce((sum, row) => sum + row.images.pixelValues.length, 0));
    let offset = 0;
    for (const row of rows) {
      pixelValues.set(row.images.pixelValues, offset);
      offset += row.images.pixelValues.length;
    }
    const visionInputs = rows.reduce((sum, row) => sum + row.images.count, 0);
    const inputs: Record<string, unknown> = {
      input_ids: new Tensor('int64', batch.inputIds, [...batch.dims]),
      attention_mask: new Tensor('int64', batch.attentionMask, [...batch.dims]),
      pixel_values: new Tensor('float32', pixelValues, [visionInputs, 3, height, width]),
    };
    if (options.passImageSizes) {
      const sizes = rows.flatMap((row) => row.images.imageSizes.flatMap(([imageHeight, imageWidth]) => [BigInt(imageHeight), BigInt(imageWidth)]));
      inputs.image_sizes = new Tensor('int64', BigInt64Array.from(sizes), [sizes.length / 2, 2]);
    }
    const generated = await generateRows({
      model: options.model,
      tokenizer: options.tokenizer,
      inputs,
      rows: rows.map((row) => ({
        options: { ...items[row.index]!.options, maxNewTokens: row.maxNewTokens },
        ...(controls[row.index] === undefined ? {} : { control: controls[row.index]! }),
      })),
      eosTokenIds: options.eosTokenIds,
      padTokenId: options.padTokenId,
    });
    rows.forEach((row, position) => {
      const { text, tokens, stopReason, timings } = generated[position]!;
      outcomes[row.index] = {
        ok: true,
        value: { text, tokens, stopReason },
        ...(row.notes.length > 0 ? { notes: row.notes } : {}),
        timings: { ...timings, promptTokens: row.prompt.length },
        // The prompt's tokens include each image's feature tokens, as the model reads them.
        usage: { inputTokens: row.prompt.length, outputTokens: tokens.length },
      };
    });
  }
  return outcomes.map((outcome) => outcome ?? { ok: false, error: new Error('no outcome') });
}
