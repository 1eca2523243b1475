import type { ForgeFile } from '../files/file-content.js';
import { jsonContent } from '../files/file-content.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import type { LlavaLanguageDimensions } from './llava-language.js';
import { imageToken, llavaLanguage, llavaLanguageSessionFiles, sessionFiles } from './llava-language.js';
import { buildLlavaVisionGraph } from './llava-vision-graph.js';
import type { LlavaVisionDimensions } from './llava.js';
import { visionConfig, visionGraphDimensions } from './llava.js';

export interface LlavaNextDimensions {
  /** SigLIP, features from the last layer (`vision_feature_layer: -1`, `vision_feature_select_strategy: "full"`). */
  readonly vision: LlavaVisionDimensions;
  readonly text: LlavaLanguageDimensions;
  /** `image_grid_pinpoints`: [height, width] resolutions the image may be tiled at, multiples of the tile size. */
  readonly gridPinpoints: ReadonlyArray<readonly [number, number]>;
  /** `vision_aspect_ratio`, e.g. `anyres_max_9`. */
  readonly visionAspectRatio: string;
}

export interface LlavaNextOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: LlavaNextDimensions;
}

/**
 * LLaVA-OneVision's `image_grid_pinpoints` ("(1x1),...,(6x6)" in the original training scripts):
 * every [rows · S, columns · S] for rows and columns 1…6, rows outer, as the Hugging Face
 * conversion writes them (S = 384 there).
 */
export function oneVisionGridPinpoints(tileSize: number, largest = 6): Array<[number, number]> {
  const pinpoints: Array<[number, number]> = [];
  for (let rows = 1; rows <= largest; rows += 1) {
    for (let columns = 1; columns <= largest; columns += 1) pinpoints.push([rows * tileSize, columns * tileSize]);
  }
  return pinpoints;
}

/**
 * A LLaVA-OneVision folder laid out like `llava-hf/llava-onevision-qwen2-0.5b-ov-hf`'s ONNX export
 * (what transformers.js loads as `LlavaOnevisionForConditionalGeneration`): `config.json`
 * (`model_type: "llava_onevision"`, `image_grid_pinpoints`, `vision_aspect_ratio`,
 * `image_token_index`, SigLIP `vision_config`, Qwen2 `text_config`), `preprocessor_config.json`
 * (LlavaOnevisionImageProcessor: `size` {height, width}, pinpoints, mean/std 0.5, bicubic),
 * `processor_config.json` (`image_token`, `num_image_tokens`), a ChatML tokenizer with `<image>`,
 * and `vision_encoder` (`pixel_values` [views, 3, S, S] → `image_features` [views, ⌊S/patch⌋² + 1, d]:
 * each view's projected features followed by the `image_newline` embedding), `embed_tokens`,
 * `decoder_model_merged`, each in fp32 and int8.
 */
export function llavaNextFiles({ id, dimensions }: LlavaNextOptions): ForgeFile[] {
  const { vision, gridPinpoints } = dimensions;
  for (const [height, width] of gridPinpoints) {
    if (height % vision.imageSize !== 0 || width % vision.imageSize !== 0) {
      throw new Error(`grid pinpoint ${height}×${width} is not a multiple of the tile size ${vision.imageSize}`);
    }
  }
  if (vision.style !== 'siglip' || vision.featureLayer !== -1) throw new Error('LLaVA-OneVision takes SigLIP features from the last layer');
  const language = llavaLanguage(dimensions.text, 'LlavaOnevisionProcessor');
  const graphDimensions = visionGraphDimensions(vision, dimensions.text.hidden, false, true);
  // SigLIP's patch convolution drops the remainder: 384 / 14 → 27 × 27 = 729 features.
  const featuresPerView = Math.floor(vision.imageSize / vision.patchSize) ** 2;
  const config = {
    architectures: ['LlavaOnevisionForConditionalGeneration'],
    image_grid_pinpoints: gridPinpoints,
    image_token_index: language.imageTokenId,
    model_type: 'llava_onevision',
    projector_hidden_act: 'gelu',
    text_config: language.textConfig,
    tie_word_embeddings: true,
    use_image_newline_parameter: true,
    vision_aspect_ratio: dimensions.visionAspectRatio,
    vision_config: { ...visionConfig(vision), vision_use_head: false },
    vision_feature_layer: vision.featureLayer,
    vision_feature_select_strategy: 'full',
    model_forge: forgeNote(dynamicQuantizationNote.replaceAll('onnx/model_quantized.onnx', 'each onnx/<session>_quantized.onnx')),
  };
  const preprocessor = {
    do_convert_rgb: true,
    do_normalize: true,
    do_pad: true,
    do_rescale: true,
    do_resize: true,
    image_grid_pinpoints: gridPinpoints,
    image_mean: [0.5, 0.5, 0.5],
    image_processor_type: 'LlavaOnevisionImageProcessor',
    image_std: [0.5, 0.5, 0.5],
    processor_class: 'LlavaOnevisionProcessor',
    resample: 3,
    rescale_factor: 1 / 255,
    size: { height: vision.imageSize, width: vision.imageSize },
  };
  const processor = {
    image_token: imageToken,
    num_image_tokens: featuresPerView,
    processor_class: 'LlavaOnevisionProcessor',
    vision_feature_select_strategy: 'full',
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    ...language.files,
    { path: 'preprocessor_config.json', content: jsonContent(preprocessor) },
    { path: 'processor_config.json', content: jsonContent(processor) },
    ...sessionFiles('vision_encoder', buildLlavaVisionGraph(id, graphDimensions), `${id}: LLaVA-OneVision SigLIP tower, projector and image_newline with random weights`),
    ...llavaLanguageSessionFiles(id, language, 'LLaVA-OneVision'),
  ];
}
