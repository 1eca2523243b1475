import type { ForgeFile } from '../files/file-content.js';
import { jsonContent } from '../files/file-content.js';
import type { ClipDimensions } from './clip.js';
import { clipTextConfig, imageProcessorConfig, onnxFiles } from './clip.js';
import type { ClipEncoderDimensions } from './clip-encoder.js';
import { clipLayerNormEpsilon } from './clip-encoder.js';
import { trainedClipLogitScale } from './clip-graph.js';
import { buildClipBpe, clipTokenizerFiles } from './clip-tokenizer.js';
import { forgeNote } from './forge-note.js';
import { buildXclipPromptGraph, buildXclipTextGraph, buildXclipVisionGraph, type XclipGraphDimensions } from './xclip-graph.js';

export interface XclipDimensions {
  readonly text: ClipDimensions['text'];
  readonly vision: ClipDimensions['vision'] & { readonly frames: number };
  readonly mit: Omit<ClipEncoderDimensions, 'hidden'>;
  readonly prompt: { readonly layers: number; readonly heads: number };
  readonly projection: number;
}

export interface XclipOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: XclipDimensions;
  /** Also write the `_quantized` variant of each graph (the presets do for `full` only, to keep tiny folders small). */
  readonly quantized?: boolean;
}

/** ImageNet normalisation, as in `microsoft/xclip-base-patch32`'s VideoMAE image processor config. */
const imagenetMean = [0.485, 0.456, 0.406];
const imagenetStd = [0.229, 0.224, 0.225];
const promptAlpha = 0.1;

const quantizationNote =
  'onnx/*_quantized.onnx hold the same weights in int8 (symmetric, per tensor): MatMul through DynamicQuantizeLinear + MatMulInteger, embedding tables through Gather + DequantizeLinear; the patch Conv stays float';

/**
 * An X-CLIP folder in the graph contract of `@accel/skill-xclip` (transformers.js has no X-CLIP):
 * `onnx/text_model.onnx`, `onnx/vision_model.onnx` and `onnx/prompt_model.onnx` (with int8
 * variants unless `quantized` is false), an XCLIPConfig-shaped `config.json`, a VideoMAE-style `preprocessor_config.json`
 * applied to every frame, and the CLIP tokenizer.
 */
export function xclipFiles({ id, dimensions, quantized = true }: XclipOptions): ForgeFile[] {
  const bpe = buildClipBpe(dimensions.text.vocabularySize === undefined ? {} : { size: dimensions.text.vocabularySize });
  const vocabularySize = bpe.vocabulary.length + 2;
  const tokenizer = clipTokenizerFiles(bpe, dimensions.text.maxPositions);
  const { vision, mit, prompt } = dimensions;
  const graphDimensions: XclipGraphDimensions = {
    text: { ...dimensions.text, vocabularySize },
    vision,
    mit,
    prompt: { ...prompt, alpha: promptAlpha },
    projection: dimensions.projection,
    logitScale: trainedClipLogitScale,
  };
  const config = {
    architectures: ['XCLIPModel'],
    initializer_factor: 1,
    logit_scale_init_value: 2.6592,
    model_type: 'xclip',
    projection_dim: dimensions.projection,
    prompt_alpha: promptAlpha,
    prompt_attention_dropout: 0,
    prompt_hidden_act: 'quick_gelu',
    prompt_layers: prompt.layers,
    prompt_num_attention_heads: prompt.heads,
    prompt_projection_dropout: 0,
    text_config: { ...clipTextConfig(dimensions.text, vocabularySize, { start: bpe.startOfTextId, end: bpe.endOfTextId }, dimensions.projection), model_type: 'xclip_text_model' },
    vision_config: {
      attention_dropout: 0,
      drop_path_rate: 0,
      hidden_act: 'quick_gelu',
      hidden_size: vision.hidden,
      image_size: vision.imageSize,
      intermediate_size: vision.intermediate,
      layer_norm_eps: clipLayerNormEpsilon,
      mit_hidden_size: dimensions.projection,
      mit_intermediate_size: mit.intermediate,
      mit_num_attention_heads: mit.heads,
      mit_num_hidden_layers: mit.layers,
      model_type: 'xclip_vision_model',
      num_attention_heads: vision.heads,
      num_channels: 3,
      num_frames: vision.frames,
      num_hidden_layers: vision.layers,
      patch_size: vision.patchSize,
    },
    model_forge: {
      ...forgeNote(quantized ? quantizationNote : 'none written (tiny size)'),
      graph_contract: 'onnx/text_model.onnx, onnx/vision_model.onnx, onnx/prompt_model.onnx as documented in @accel/skill-xclip README; logit_scale = ln 100',
    },
  };
  const preprocessor = imageProcessorConfig(vision.imageSize, {
    feature_extractor_type: 'VideoMAEFeatureExtractor',
    image_mean: imagenetMean,
    image_std: imagenetStd,
    processor_class: 'XCLIPProcessor',
    resample: 2,
  });
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'preprocessor_config.json', content: jsonContent(preprocessor) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    ...onnxFiles('text_model', buildXclipTextGraph(id, graphDimensions), `${id}: X-CLIP text tower (get_text_features) with random weights`, quantized),
    ...onnxFiles('vision_model', buildXclipVisionGraph(id, graphDimensions), `${id}: X-CLIP video tower (get_video_features, prompt visual tokens) with random weights`, quantized),
    ...onnxFiles('prompt_model', buildXclipPromptGraph(id, graphDimensions), `${id}: X-CLIP prompt generator and logits with random weights`, quantized),
  ];
}
