import type { ForgeFile } from '../files/file-content.js';
import { jsonContent } from '../files/file-content.js';
import { clipImageProcessorConfig } from './clip.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import type { LlavaLanguageDimensions } from './llava-language.js';
import { imageToken, llavaLanguage, llavaLanguageSessionFiles, sessionFiles } from './llava-language.js';
import type { VisionTowerStyle } from './llava-vision-graph.js';
import { buildLlavaVisionGraph, imageFeatureCount } from './llava-vision-graph.js';

/** The vision tower of a LLaVA folder. */
export interface LlavaVisionDimensions {
  readonly style: VisionTowerStyle;
  readonly imageSize: number;
  readonly patchSize: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  /** Layers in the vision config; the graph computes them up to `featureLayer`. */
  readonly layers: number;
  /** `vision_feature_layer`: -1 (the last layer) or -2 (the one before it). */
  readonly featureLayer: -1 | -2;
}

export interface LlavaDimensions {
  readonly vision: LlavaVisionDimensions;
  readonly text: LlavaLanguageDimensions;
}

export interface LlavaOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: LlavaDimensions;
}

const layerNormEpsilon = 1e-6;

/** The `vision_config` entry of a LLaVA or LLaVA-Next config. */
export function visionConfig(vision: LlavaVisionDimensions): Record<string, unknown> {
  return {
    hidden_act: vision.style === 'clip' ? 'quick_gelu' : 'gelu_pytorch_tanh',
    hidden_size: vision.hidden,
    image_size: vision.imageSize,
    intermediate_size: vision.intermediate,
    layer_norm_eps: layerNormEpsilon,
    model_type: vision.style === 'clip' ? 'clip_vision_model' : 'siglip_vision_model',
    num_attention_heads: vision.heads,
    num_channels: 3,
    num_hidden_layers: vision.layers,
    patch_size: vision.patchSize,
  };
}

/** Graph dimensions of the vision encoder: the layers up to the feature layer, projected to the text width. */
export function visionGraphDimensions(vision: LlavaVisionDimensions, textHidden: number, keepClassToken: boolean, imageNewline: boolean) {
  return {
    ...vision,
    layers: vision.layers + 1 + vision.featureLayer,
    layerNormEpsilon,
    textHidden,
    keepClassToken,
    imageNewline,
  };
}

/**
 * A LlavaForConditionalGeneration folder as transformers.js loads it: config (`image_token_index`,
 * `text_config`, `vision_config`), `processor_config.json` (`image_token`, `patch_size`,
 * `num_additional_image_tokens`), `preprocessor_config.json` (CLIPImageProcessor), a ChatML
 * tokenizer with `<image>`, and `vision_encoder`, `embed_tokens`, `decoder_model_merged` in fp32 and int8.
 */
export function llavaFiles({ id, dimensions }: LlavaOptions): ForgeFile[] {
  const { vision } = dimensions;
  const language = llavaLanguage(dimensions.text, 'LlavaProcessor');
  const keepClassToken = vision.style === 'clip';
  const graphDimensions = visionGraphDimensions(vision, dimensions.text.hidden, keepClassToken, false);
  const additionalTokens = imageFeatureCount(graphDimensions) - Math.floor(vision.imageSize / vision.patchSize) ** 2;
  const config = {
    architectures: ['LlavaForConditionalGeneration'],
    ignore_index: -100,
    image_seq_length: imageFeatureCount(graphDimensions),
    image_token_index: language.imageTokenId,
    model_type: 'llava',
    projector_hidden_act: 'gelu',
    text_config: language.textConfig,
    tie_word_embeddings: true,
    vision_config: visionConfig(vision),
    vision_feature_layer: vision.featureLayer,
    vision_feature_select_strategy: 'full',
    vocab_size: language.vocabularySize,
    model_forge: forgeNote(dynamicQuantizationNote.replaceAll('onnx/model_quantized.onnx', 'each onnx/<session>_quantized.onnx')),
  };
  const preprocessor = clipImageProcessorConfig(vision.imageSize, { processor_class: 'LlavaProcessor' });
  const processor = {
    image_token: imageToken,
    num_additional_image_tokens: additionalTokens,
    patch_size: vision.patchSize,
    processor_class: 'LlavaProcessor',
    vision_feature_select_strategy: 'full',
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    ...language.files,
    { path: 'preprocessor_config.json', content: jsonContent(preprocessor) },
    { path: 'processor_config.json', content: jsonContent(processor) },
    ...sessionFiles('vision_encoder', buildLlavaVisionGraph(id, graphDimensions), `${id}: LLaVA vision tower and projector with random weights`),
    ...llavaLanguageSessionFiles(id, language, 'LLaVA'),
  ];
}
