import { createLlavaGenerationModel, contextLengthOf, generationTokenIds, imageTokenIdOf, openLlavaSessions, readGenerationConfig, type LlavaConfigJson, runVisionLanguageBatch, type EncodedImages, type TensorConstructor, type VisionLanguageBatchOptions, type VisionLanguageItem, type VisionLanguageOutput } from '@accel/transformers-kit';
import { InvalidModelError, type ItemOutcome, type LoadedSkillV1, type SkillLoadContext } from '@accel/core';
import { loadTokenizer, loadTransformers } from '@accel/transformers-kit';
import type { LlavaForConditionalGeneration } from '@huggingface/transformers';
import { anyResolutionLayout, type AnyResolutionGeometry, type Size } from './any-resolution.js';
import { packImageFeatures } from './pack-image-features.js';
import { resizeKernel, tileImage, type TileNormalization } from './tile-image.js';

interface LlavaNextConfigJson extends LlavaConfigJson {
  readonly image_grid_pinpoints?: ReadonlyArray<readonly [number, number]>;
  readonly vision_config?: { readonly patch_size?: number };
}

interface PreprocessorConfigJson {
  readonly crop_size?: { readonly height?: number; readonly width?: number };
  readonly image_grid_pinpoints?: ReadonlyArray<readonly [number, number]>;
  readonly image_mean?: readonly number[];
  readonly image_std?: readonly number[];
  readonly rescale_factor?: number;
  readonly do_rescale?: boolean;
  readonly do_normalize?: boolean;
  readonly resample?: number;
}

interface ProcessorConfigJson {
  readonly image_token?: string;
  readonly patch_size?: number;
}

/** A loaded LLaVA-Next model's parts; `loadLlavaNextModel` runs batches with them (tests use them directly). */
export interface LlavaNextParts {
  readonly model: LlavaForConditionalGeneration;
  readonly geometry: AnyResolutionGeometry;
  readonly batch: Omit<VisionLanguageBatchOptions, 'encodeImages'>;
  readonly encodeImages: (item: VisionLanguageItem) => Promise<EncodedImages>;
  readonly release: () => Promise<void>;
}

function channelTriple(values: readonly number[] | undefined, fallback: number, context: SkillLoadContext, field: string): readonly [number, number, number] {
  if (values === undefined) return [fallback, fallback, fallback];
  if (values.length !== 3 || !values.every(Number.isFinite)) throw new InvalidModelError({ model: context.model.id, file: 'preprocessor_config.json', reason: `${field} needs 3 numbers` });
  return [values[0]!, values[1]!, values[2]!];
}

async function readProcessorConfig(context: SkillLoadContext): Promise<ProcessorConfigJson> {
  try {
    return await context.readJson<ProcessorConfigJson>('processor_config.json');
  } catch (error) {
    if (InvalidModelError.isInstance(error)) throw error;
    return {};
  }
}

function readGeometry(context: SkillLoadContext, config: LlavaNextConfigJson, preprocessor: PreprocessorConfigJson, processor: ProcessorConfigJson): AnyResolutionGeometry {
  const tileSize = preprocessor.crop_size?.height;
  const patchSize = processor.patch_size ?? config.vision_config?.patch_size;
  const pinpoints = config.image_grid_pinpoints ?? preprocessor.image_grid_pinpoints;
  const problem =
    typeof tileSize !== 'number' || tileSize !== preprocessor.crop_size?.width
      ? 'preprocessor_config.json crop_size must be square'
      : typeof patchSize !== 'number' || tileSize % patchSize !== 0
        ? 'the tile size must be a multiple of patch_size (processor_config.json or vision_config)'
        : pinpoints === undefined || pinpoints.length === 0 || !pinpoints.every(([height, width]) => height % tileSize === 0 && width % tileSize === 0 && height > 0 && width > 0)
          ? 'image_grid_pinpoints must be a non-empty list of [height, width] multiples of the tile size'
          : undefined;
  if (problem !== undefined) throw new InvalidModelError({ model: context.model.id, file: 'config.json', reason: problem });
  return { tileSize: tileSize!, featuresPerSide: tileSize! / patchSize!, pinpoints: pinpoints!.map(([height, width]): Size => [height, width]) };
}

/**
 * Opens a LLaVA-Next model in accel's graph contract: the tokenizer, the any-resolution geometry,
 * and transformers.js's `LlavaForConditionalGeneration` on the endpoint's three sessions, with
 * its image encoding replaced by the tile → pack path the skill owns.
 */
export async function openLlavaNext(context: SkillLoadContext): Promise<LlavaNextParts> {
  const transformers = await loadTransformers();
  const config = await context.readJson<LlavaNextConfigJson>('config.json');
  if (config.model_type !== 'llava_next') {
    throw new InvalidModelError({ model: context.model.id, file: 'config.json', reason: `model_type is ${String(config.model_type)}; the llava-next skill serves model_type llava_next` });
  }
  const preprocessor = await context.readJson<PreprocessorConfigJson>('preprocessor_config.json');
  const processor = await readProcessorConfig(context);
  const geometry = readGeometry(context, config, preprocessor, processor);
  const normalization: TileNormalization = {
    tileSize: geometry.tileSize,
    kernel: resizeKernel(preprocessor.resample),
    rescaleFactor: preprocessor.do_rescale === false ? 1 : (preprocessor.rescale_factor ?? 1 / 255),
    mean: preprocessor.do_normalize === false ? [0, 0, 0] : channelTriple(preprocessor.image_mean, 0.5, context, 'image_mean'),
    standardDeviation: preprocessor.do_normalize === false ? [1, 1, 1] : channelTriple(preprocessor.image_std, 0.5, context, 'image_std'),
  };
  const generationConfig = await readGenerationConfig(context);
  const tokenizer = await loadTokenizer(context);
  const imageTokens = { text: processor.image_token ?? '<image>', id: imageTokenIdOf(context, config) };
  const { eosTokenIds, padTokenId } = generationTokenIds(generationConfig, config, tokenizer);
  const featuresPerTile = geometry.featuresPerSide ** 2;

  const sessions = await openLlavaSessions(context, ['image_newline']);
  const visionShape = sessions.vision_encoder.outputMetadata.find((output) => output.name === 'image_features')?.shape;
  if (typeof visionShape?.[1] === 'number' && visionShape[1] !== featuresPerTile) {
    await Promise.all(Object.values(sessions).map((session) => session.release()));
    throw new InvalidModelError({
      model: context.model.id,
      file: 'onnx/vision_encoder.onnx',
      reason: `image_features has ${visionShape[1]} features per tile; the contract needs (crop_size / patch_size)² = ${featuresPerTile}`,
    });
  }
  // transformers.js has no llava_next type: it runs the model as llava, whose config shape is the same.
  // image_sizes, like pixel_values, only serves the first generation step.
  const model = await createLlavaGenerationModel({ config: { ...config, model_type: 'llava' }, sessions, generationConfig, firstStepInputs: ['image_sizes'] });
  const Tensor = transformers.Tensor;
  const encodeTiles = async ({ pixel_values: pixelValues, image_sizes: imageSizes }: { pixel_values: InstanceType<typeof Tensor>; image_sizes: InstanceType<typeof Tensor> }) => {
    const outputs = await sessions.vision_encoder.run({ pixel_values: pixelValues });
    const features = outputs.image_features!;
    const [tiles, perTile, width] = features.dims as [number, number, number];
    const layouts = (imageSizes.tolist() as bigint[][]).map(([height, imageWidth]) => anyResolutionLayout([Number(height), Number(imageWidth)], geometry));
    if (perTile !== featuresPerTile || tiles !== layouts.reduce((sum, layout) => sum + layout.tiles, 0)) {
      throw new InvalidModelError({ model: context.model.id, file: 'onnx/vision_encoder.onnx', reason: `returned image_features [${features.dims.join(', ')}] for ${tiles} tiles of ${featuresPerTile} features` });
    }
    const packed = packImageFeatures({ features: features.data as Float32Array, featuresPerTile, width, newline: outputs.image_newline!.data as Float32Array }, layouts);
    return new Tensor('float32', packed, [packed.length / width, width]);
  };
  const patched = model as unknown as { encode_image: typeof encodeTiles; forward_params: string[] };
  patched.encode_image = encodeTiles;
  patched.forward_params.push('image_sizes');

  const encodeImages = async (item: VisionLanguageItem): Promise<EncodedImages> => {
    const { readImage } = await import('@accel/core/media');
    const decoded = await Promise.all(item.images.map((image) => readImage(image)));
    const layouts = decoded.map((image) => anyResolutionLayout([image.height, image.width], geometry));
    const tiles = await Promise.all(decoded.map((image, index) => tileImage(image, layouts[index]!, normalization)));
    const pixelValues = new Float32Array(tiles.reduce((sum, values) => sum + values.length, 0));
    tiles.reduce((offset, values) => (pixelValues.set(values, offset), offset + values.length), 0);
    return {
      pixelValues,
      count: layouts.reduce((sum, layout) => sum + layout.tiles, 0),
      inputSize: [geometry.tileSize, geometry.tileSize],
      featureCounts: layouts.map((layout) => layout.features),
      imageSizes: decoded.map((image) => [image.height, image.width] as const),
    };
  };

  return {
    model,
    geometry,
    batch: {
      model,
      tokenizer: tokenizer as unknown as VisionLanguageBatchOptions['tokenizer'],
      Tensor: Tensor as unknown as TensorConstructor,
      modelId: context.model.id,
      imageTokens,
      contextLength: contextLengthOf(context, config, tokenizer),
      eosTokenIds,
      padTokenId,
      passImageSizes: true,
    },
    encodeImages,
    release: async () => {
      await Promise.all(Object.values(sessions).map((session) => session.release()));
    },
  };
}

/** Loads a LLaVA-Next model for an endpoint. */
export async function loadLlavaNextModel(context: SkillLoadContext): Promise<LoadedSkillV1<VisionLanguageItem, VisionLanguageOutput>> {
  const parts = await openLlavaNext(context);
  return {
    run: (items, controls): Promise<ItemOutcome<VisionLanguageOutput>[]> => runVisionLanguageBatch(items, controls, { ...parts.batch, encodeImages: parts.encodeImages }),
    dispose: parts.release,
  };
}
