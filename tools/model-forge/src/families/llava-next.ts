import type { ForgeFile } from '../files/file-content.js';
import { jsonContent } from '../files/file-content.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import type { LlavaLanguageDimensions } from './llava-language.js';
import { imageToken, llavaLanguage, llavaLanguageSessionFiles, sessionFiles } from './llava-language.js';
import { buildLlavaVisionGraph } from './llava-vision-graph.js';
import type { LlavaVisionDimensions } from './llava.js';
import { clipImageProcessorConfig } from './clip.js';
import { visionConfig, visionGraphDimensions } from './llava.js';

export interface LlavaNextDimensions {
  readonly vision: LlavaVisionDimensions;
  readonly text: LlavaLanguageDimensions;
  /** `image_grid_pinpoints`: [height, width] resolutions the image may be tiled at, multiples of the tile size. */
  readonly gridPinpoints: ReadonlyArray<readonly [number, number]>;
}

export interface LlavaNextOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: LlavaNextDimensions;
}

/** LLaVA-Next's pinpoints for 336-pixel tiles, scaled to another tile size. */
export function llavaNextGridPinpoints(tileSize: number): Array<[number, number]> {
  return [
    [1, 2],
    [2, 1],
    [2, 2],
    [3, 1],
    [1, 3],
  ].map(([rows, columns]) => [rows! * tileSize, columns! * tileSize]);
}

/**
 * A LLaVA-Next folder in accel's graph contract (transformers.js has no `llava_next` type; the
 * skill owns tiling and feature packing): config (`model_type: "llava_next"`,
 * `image_grid_pinpoints`, `image_token_index`), `preprocessor_config.json`
 * (LlavaNextImageProcessor), `processor_config.json`, a ChatML tokenizer with `<image>`, and
 * `vision_encoder` (`pixel_values` [tiles, 3, S, S] → `image_features` [tiles, (S/patch)², d],
 * `image_newline` [d]), `embed_tokens`, `decoder_model_merged`, each in fp32 and int8.
 */
export function llavaNextFiles({ id, dimensions }: LlavaNextOptions): ForgeFile[] {
  const { vision, gridPinpoints } = dimensions;
  for (const [height, width] of gridPinpoints) {
    if (height % vision.imageSize !== 0 || width % vision.imageSize !== 0) {
      throw new Error(`grid pinpoint ${height}×${width} is not a multiple of the tile size ${vision.imageSize}`);
    }
  }
  const language = llavaLanguage(dimensions.text, 'LlavaNextProcessor');
  const graphDimensions = visionGraphDimensions(vision, dimensions.text.hidden, false, true);
  const config = {
    architectures: ['LlavaNextForConditionalGeneration'],
    ignore_index: -100,
    image_grid_pinpoints: gridPinpoints,
    image_seq_length: (vision.imageSize / vision.patchSize) ** 2,
    image_token_index: language.imageTokenId,
    model_type: 'llava_next',
    projector_hidden_act: 'gelu',
    text_config: language.textConfig,
    tie_word_embeddings: true,
    use_image_newline_parameter: true,
    vision_config: visionConfig(vision),
    vision_feature_layer: vision.featureLayer,
    vision_feature_select_strategy: 'default',
    vocab_size: language.vocabularySize,
    model_forge: forgeNote(dynamicQuantizationNote.replaceAll('onnx/model_quantized.onnx', 'each onnx/<session>_quantized.onnx')),
  };
  const preprocessor = clipImageProcessorConfig(vision.imageSize, {
    do_pad: true,
    image_grid_pinpoints: gridPinpoints,
    image_processor_type: 'LlavaNextImageProcessor',
    processor_class: 'LlavaNextProcessor',
  });
  const processor = {
    image_token: imageToken,
    num_additional_image_tokens: 0,
    patch_size: vision.patchSize,
    processor_class: 'LlavaNextProcessor',
    vision_feature_select_strategy: 'default',
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    ...language.files,
    { path: 'preprocessor_config.json', content: jsonContent(preprocessor) },
    { path: 'processor_config.json', content: jsonContent(processor) },
    ...sessionFiles('vision_encoder', buildLlavaVisionGraph(id, graphDimensions), `${id}: LLaVA-Next vision tower, projector and image_newline with random weights`),
    ...llavaLanguageSessionFiles(id, language, 'LLaVA-Next'),
  ];
}
