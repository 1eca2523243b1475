import { createLlavaGenerationModel, contextLengthOf, generationTokenIds, imageTokenIdOf, openLlavaSessions, readGenerationConfig, type LlavaConfigJson, runVisionLanguageBatch, type EncodedImages, type TensorConstructor, type VisionLanguageBatchOptions, type VisionLanguageItem, type VisionLanguageOutput } from '@accel/transformers-kit';
import { InvalidModelError, type ItemOutcome, type LoadedSkillV1, type SkillLoadContext } from '@accel/core';
import { loadTokenizer, loadTransformers } from '@accel/transformers-kit';
import type { LlavaForConditionalGeneration } from '@huggingface/transformers';
import { anyResolutionLayout, type AnyResolutionGeometry, type Size } from './any-resolution.js';
import { packImageFeatures } from './pack-image-features.js';
import { resizeKernel, tileImage, type TileNormalization } from './tile-image.js';

interface LlavaNextConfigJson extends LlavaConfigJson {
  readonly image_grid_pinpoints?: ReadonlyArray<readonly [number, number]>;
  readonly vision_aspect_ratio?: string;
  readonly vision_config?: { readonly patch_size?: number };
}

interface PreprocessorConfigJson {
  readonly size?: { readonly height?: number; readonly width?: number; readonly shortest_edge?: number };
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
  readonly vision_aspect_ratio?: string;
}

/** Where the row-newline embedding comes from. */
export type NewlineSource =
  /** The export appends `image_newline` to every view's features ([views, g² + 1, d]): the skill reads it from there. */
  | 'appended'
  /** The export gives g² features per view and no newline: the skill packs no newline tokens (not faithful; see the README). */
  | 'absent';

/** A loaded LLaVA-Next / OneVision model's parts; `loadLlavaNextModel` runs batches with them (tests use them directly). */
export interface LlavaNextParts {
  readonly model: LlavaForConditionalGeneration;
  readonly geometry: AnyResolutionGeometry;
  readonly newline: NewlineSource;
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

/** The vision input's side: OneVision's `size` {height, width}, else LLaVA-Next's square `crop_size`. */
function tileSizeOf(preprocessor: PreprocessorConfigJson): number | undefined {
  const { size, crop_size: crop } = preprocessor;
  if (typeof size?.height === 'number') return size.height === size.width ? size.height : undefined;
  if (typeof crop?.height === 'number') return crop.height === crop.width ? crop.height : undefined;
  return undefined;
}

/** `anyres_max_9` → 9; plain `anyres` (or none) → no limit; anything else is refused. */
function maxTilesOf(context: SkillLoadContext, aspectRatio: string | undefined): number | undefined {
  if (aspectRatio === undefined || aspectRatio === 'anyres') return undefined;
  const match = /^anyres_max_(\d+)$/.exec(aspectRatio);
  if (match === null || Number(match[1]) < 1) {
    throw new InvalidModelError({ model: context.model.id, file: 'config.json', reason: `vision_aspect_ratio ${aspectRatio} is not "anyres" or "anyres_max_<N>"` });
  }
  return Number(match[1]);
}

function readGeometry(context: SkillLoadContext, config: LlavaNextConfigJson, preprocessor: PreprocessorConfigJson, processor: ProcessorConfigJson): AnyResolutionGeometry {
  const tileSize = tileSizeOf(preprocessor);
  const patchSize = config.vision_config?.patch_size ?? processor.patch_size;
  const pinpoints = config.image_grid_pinpoints ?? preprocessor.image_grid_pinpoints;
  const problem =
    tileSize === undefined
      ? 'preprocessor_config.json needs a square size {height, width} (or crop_size)'
      : typeof patchSize !== 'number' || !Number.isInteger(patchSize) || patchSize < 1 || patchSize > tileSize
        ? 'vision_config.patch_size must be a whole number of pixels no larger than the tile'
        : pinpoints === undefined || pinpoints.length === 0 || !pinpoints.every(([height, width]) => height % tileSize === 0 && width % tileSize === 0 && height > 0 && width > 0)
          ? 'image_grid_pinpoints must be a non-empty list of [height, width] multiples of the tile size'
          : undefined;
  if (problem !== undefined) throw new InvalidModelError({ model: context.model.id, file: 'config.json', reason: problem });
  return {
    tileSize: tileSize!,
    // The patch convolution drops the remainder (SigLIP at 384 with patch 14: 27 per side).
    featuresPerSide: Math.floor(tileSize! / patchSize!),
    pinpoints: pinpoints!.map(([height, width]): Size => [height, width]),
    maxTiles: maxTilesOf(context, config.vision_aspect_ratio ?? processor.vision_aspect_ratio),
  };
}

const servedModelTypes = ['llava_onevision', 'llava_next'];

/**
 * Opens a LLaVA-OneVision (or LLaVA-Next) export: the tokenizer, the any-resolution geometry, and
 * transformers.js's `LlavaForConditionalGeneration` on the endpoint's three sessions, with its
 * image encoding replaced by the tile → pack path the skill owns.
 */
export async function openLlavaNext(context: SkillLoadContext): Promise<LlavaNextParts> {
  const transformers = await loadTransformers();
  const config = await context.readJson<LlavaNextConfigJson>('config.json');
  if (!servedModelTypes.includes(String(config.model_type))) {
    throw new InvalidModelError({ model: context.model.id, file: 'config.json', reason: `model_type is ${String(config.model_type)}; the llava-next skill serves model_type ${servedModelTypes.join(' and ')}` });
  }
  const preprocessor = await context.readJson<PreprocessorConfigJson>('preprocessor_config.json');
  const processor = await readProcessorConfig(context);
  const baseGeometry = readGeometry(context, config, preprocessor, processor);
  const normalization: TileNormalization = {
    tileSize: baseGeometry.tileSize,
    kernel: resizeKernel(preprocessor.resample),
    rescaleFactor: preprocessor.do_rescale === false ? 1 : (preprocessor.rescale_factor ?? 1 / 255),
    mean: preprocessor.do_normalize === false ? [0, 0, 0] : channelTriple(preprocessor.image_mean, 0.5, context, 'image_mean'),
    standardDeviation: preprocessor.do_normalize === false ? [1, 1, 1] : channelTriple(preprocessor.image_std, 0.5, context, 'image_std'),
  };
  const generationConfig = await readGenerationConfig(context);
  const tokenizer = await loadTokenizer(context);
  const imageTokens = { text: processor.image_token ?? '<image>', id: imageTokenIdOf(context, config) };
  const { eosTokenIds, padTokenId } = generationTokenIds(generationConfig, config, tokenizer);
  const featuresPerTile = baseGeometry.featuresPerSide ** 2;
  const Tensor = transformers.Tensor;

  const sessions = await openLlavaSessions(context);
  const releaseSessions = () => Promise.all(Object.values(sessions).map((session) => session.release()));
  // Rows per view: read from the graph's declared shape, or, where that axis is symbolic, from one run on a blank view.
  let stride = sessions.vision_encoder.outputMetadata.find((output) => output.name === 'image_features')?.shape?.[1];
  if (typeof stride !== 'number') {
    const size = baseGeometry.tileSize;
    const probe = await sessions.vision_encoder.run({ pixel_values: new Tensor('float32', new Float32Array(3 * size * size), [1, 3, size, size]) });
    stride = (probe.image_features as { dims: number[] } | undefined)?.dims[1];
  }
  if (stride !== featuresPerTile && stride !== featuresPerTile + 1) {
    await releaseSessions();
    throw new InvalidModelError({
      model: context.model.id,
      file: 'onnx/vision_encoder.onnx',
      reason: `image_features has ${String(stride)} rows per view; the layout needs ⌊size / patch_size⌋² = ${featuresPerTile}, or ${featuresPerTile + 1} with image_newline appended`,
    });
  }
  const newline: NewlineSource = stride === featuresPerTile + 1 ? 'appended' : 'absent';
  const geometry: AnyResolutionGeometry = { ...baseGeometry, newlines: newline === 'appended' };
  const rowsPerView = stride;

  // transformers.js runs llava_onevision (and would run llava_next) as its llava type, whose config shape is the same.
  // image_sizes, like pixel_values, only serves the first generation step.
  const model = await createLlavaGenerationModel({ config: { ...config, model_type: 'llava' }, sessions, generationConfig, firstStepInputs: ['image_sizes'] });
  const encodeTiles = async ({ pixel_values: pixelValues, image_sizes: imageSizes }: { pixel_values: InstanceType<typeof Tensor>; image_sizes: InstanceType<typeof Tensor> }) => {
    const outputs = await sessions.vision_encoder.run({ pixel_values: pixelValues });
    const features = outputs.image_features!;
    const [views, perView, width] = features.dims as [number, number, number];
    const layouts = (imageSizes.tolist() as bigint[][]).map(([height, imageWidth]) => anyResolutionLayout([Number(height), Number(imageWidth)], geometry));
    if (perView !== rowsPerView || views !== layouts.reduce((sum, layout) => sum + layout.tiles, 0)) {
      throw new InvalidModelError({ model: context.model.id, file: 'onnx/vision_encoder.onnx', reason: `returned image_features [${features.dims.join(', ')}] for ${views} views of ${rowsPerView} rows` });
    }
    const data = features.data as Float32Array;
    // The appended row is the same learned image_newline after every view; the first view's serves.
    const newlineEmbedding = newline === 'appended' ? data.slice(featuresPerTile * width, (featuresPerTile + 1) * width) : undefined;
    const packed = packImageFeatures({ features: data, featuresPerTile, stride: rowsPerView, width, newline: newlineEmbedding }, layouts);
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
    newline,
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
      await releaseSessions();
    },
  };
}

/** Loads a LLaVA-OneVision / LLaVA-Next model for an endpoint. */
export async function loadLlavaNextModel(context: SkillLoadContext): Promise<LoadedSkillV1<VisionLanguageItem, VisionLanguageOutput>> {
  const parts = await openLlavaNext(context);
  return {
    run: (items, controls): Promise<ItemOutcome<VisionLanguageOutput>[]> => runVisionLanguageBatch(items, controls, { ...parts.batch, encodeImages: parts.encodeImages }),
    dispose: parts.release,
  };
}
