import { createLlavaGenerationModel, contextLengthOf, generationTokenIds, imageTokenIdOf, openLlavaSessions, readGenerationConfig, type LlavaConfigJson, runVisionLanguageBatch, type EncodedImages, type TensorConstructor, type VisionLanguageBatchOptions, type VisionLanguageItem, type VisionLanguageOutput } from '@accel/transformers-kit';
import type { LlavaForConditionalGeneration } from '@huggingface/transformers';
import { InvalidInputError, InvalidModelError, type ItemOutcome, type LoadedSkillV1, type SkillLoadContext } from '@accel/core';
import { createPixelValuesReader, loadTransformers } from '@accel/transformers-kit';

/** What `processor_config.json` of a LlavaProcessor holds. */
interface LlavaProcessorConfig {
  readonly image_token?: string;
  readonly patch_size?: number;
  readonly num_additional_image_tokens?: number;
}

const processorFiles = ['tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', 'processor_config.json'];

/** A loaded LLaVA model's parts; `loadLlavaModel` runs batches with them (tests use them directly). */
export interface LlavaParts {
  readonly model: LlavaForConditionalGeneration;
  readonly batch: Omit<VisionLanguageBatchOptions, 'encodeImages'>;
  readonly encodeImages: (item: VisionLanguageItem) => Promise<EncodedImages>;
  readonly release: () => Promise<void>;
}

/**
 * Opens a LLaVA model: transformers.js's `AutoProcessor` (LlavaProcessor: tokenizer and image
 * processor) and `LlavaForConditionalGeneration` built on the endpoint's three sessions.
 */
export async function openLlava(context: SkillLoadContext): Promise<LlavaParts> {
  const transformers = await loadTransformers();
  const config = await context.readJson<LlavaConfigJson>('config.json');
  if (config.model_type !== 'llava') {
    throw new InvalidModelError({ model: context.model.id, file: 'config.json', reason: `model_type is ${String(config.model_type)}; the llava skill serves model_type llava` });
  }
  const generationConfig = await readGenerationConfig(context);
  let processor: Awaited<ReturnType<typeof transformers.AutoProcessor.from_pretrained>>;
  try {
    processor = await transformers.AutoProcessor.from_pretrained(context.model.directory, { local_files_only: true });
  } catch (error) {
    throw new InvalidModelError({
      model: context.model.id,
      file: 'processor_config.json',
      reason: `transformers.js could not load the LLaVA processor: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  processorFiles.forEach((file) => context.recordFile(file));
  const tokenizer = processor.tokenizer;
  const imageProcessor = processor.image_processor;
  const processorConfig = processor.config as LlavaProcessorConfig;
  if (tokenizer === undefined || imageProcessor === undefined || typeof processorConfig.patch_size !== 'number') {
    throw new InvalidModelError({ model: context.model.id, file: 'processor_config.json', reason: 'needs a tokenizer, an image processor and patch_size' });
  }
  const patchSize = processorConfig.patch_size;
  const additionalTokens = processorConfig.num_additional_image_tokens ?? 0;
  const imageTokens = { text: processorConfig.image_token ?? '<image>', id: imageTokenIdOf(context, config) };
  const { eosTokenIds, padTokenId } = generationTokenIds(generationConfig, config, tokenizer);

  const sessions = await openLlavaSessions(context);
  const model = await createLlavaGenerationModel({ config, sessions, generationConfig });

  const toPixelValues = await createPixelValuesReader(imageProcessor);
  const { readImage } = await import('@accel/core/media');
  const encodeImages = async (item: VisionLanguageItem): Promise<EncodedImages> => {
    const decoded = await Promise.all(item.images.map((image) => readImage(image)));
    const rows = await Promise.all(decoded.map((image) => toPixelValues(image)));
    const [, height, width] = rows[0]!.dims as [number, number, number];
    if (rows.some((row) => row.dims[1] !== height || row.dims[2] !== width)) {
      throw new InvalidInputError({ reason: `the images of one prompt preprocess to different sizes (${rows.map((row) => row.dims.slice(1).join('×')).join(', ')})` });
    }
    const pixelValues = new Float32Array(rows.length * rows[0]!.data.length);
    rows.forEach((row, index) => pixelValues.set(row.data, index * row.data.length));
    const features = Math.floor(height / patchSize) * Math.floor(width / patchSize) + additionalTokens;
    return {
      pixelValues,
      count: rows.length,
      inputSize: [height, width],
      featureCounts: decoded.map(() => features),
      imageSizes: decoded.map((image) => [image.height, image.width] as const),
    };
  };

  const release = async () => {
    await Promise.all(Object.values(sessions).map((session) => session.release()));
  };
  return {
    model,
    batch: {
      model,
      tokenizer: tokenizer as unknown as VisionLanguageBatchOptions['tokenizer'],
      Tensor: transformers.Tensor as unknown as TensorConstructor,
      modelId: context.model.id,
      imageTokens,
      contextLength: contextLengthOf(context, config, tokenizer),
      eosTokenIds,
      padTokenId,
    },
    encodeImages,
    release,
  };
}

/** Loads a LLaVA model for an endpoint. */
export async function loadLlavaModel(context: SkillLoadContext): Promise<LoadedSkillV1<VisionLanguageItem, VisionLanguageOutput>> {
  const parts = await openLlava(context);
  return {
    run: (items, controls): Promise<ItemOutcome<VisionLanguageOutput>[]> => runVisionLanguageBatch(items, controls, { ...parts.batch, encodeImages: parts.encodeImages }),
    dispose: parts.release,
  };
}
