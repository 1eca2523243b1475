import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import type { ClipEncoderDimensions } from './clip-encoder.js';
import { clipLayerNormEpsilon } from './clip-encoder.js';
import { buildClipGraph, buildClipTextGraph, buildClipVisionGraph, type ClipGraphDimensions, trainedClipLogitScale } from './clip-graph.js';
import { buildClipBpe, clipTokenizerFiles } from './clip-tokenizer.js';
import { forgeNote } from './forge-note.js';

export interface ClipDimensions {
  readonly text: ClipEncoderDimensions & {
    readonly maxPositions: number;
    /** Including the two specials. Omitted: the small CLIP BPE vocabulary (a few hundred pieces). */
    readonly vocabularySize?: number;
  };
  readonly vision: ClipEncoderDimensions & { readonly imageSize: number; readonly patchSize: number };
  readonly projection: number;
}

export interface ClipOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: ClipDimensions;
  /** Also write `text_model_quantized.onnx` and `vision_model_quantized.onnx` (the presets do for `full` only, to keep tiny folders small). */
  readonly quantized?: boolean;
  /** Also write the joint CLIPModel `onnx/model.onnx` (the presets do for `full` only; the skill uses the tower files). */
  readonly joint?: boolean;
}

/** `Xenova/clip-vit-base-patch32`'s normalisation constants. */
export const clipImageMean = [0.48145466, 0.4578275, 0.40821073];
export const clipImageStd = [0.26862954, 0.26130258, 0.27577711];

const quantizationNote =
  'onnx/text_model_quantized.onnx and onnx/vision_model_quantized.onnx hold the same weights in int8 (symmetric, per tensor): MatMul through DynamicQuantizeLinear + MatMulInteger, embedding tables through Gather + DequantizeLinear; the patch Conv stays float';

/** The `text_config` block shared by CLIP and X-CLIP configs. */
export function clipTextConfig(text: ClipDimensions['text'], vocabularySize: number, ids: { start: number; end: number }, projection: number): Record<string, unknown> {
  return {
    attention_dropout: 0,
    bos_token_id: ids.start,
    eos_token_id: ids.end,
    pad_token_id: ids.end,
    hidden_act: 'quick_gelu',
    hidden_size: text.hidden,
    intermediate_size: text.intermediate,
    layer_norm_eps: clipLayerNormEpsilon,
    max_position_embeddings: text.maxPositions,
    num_attention_heads: text.heads,
    num_hidden_layers: text.layers,
    projection_dim: projection,
    vocab_size: vocabularySize,
  };
}

/** `preprocessor_config.json` for transformers.js's image processors: resize the short side, centre-crop, rescale, normalise. */
export function imageProcessorConfig(size: number, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    crop_size: { height: size, width: size },
    do_center_crop: true,
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    rescale_factor: 1 / 255,
    size: { shortest_edge: size },
    ...extra,
  };
}

/**
 * `Xenova/clip-vit-base-patch32`'s `preprocessor_config.json` at another image size: a
 * `CLIPImageProcessor` (bicubic resize of the short side, centre crop, CLIP's mean and std).
 * LLaVA's processors extend it; tests compare image routes against it.
 */
export function clipImageProcessorConfig(size = 224, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return imageProcessorConfig(size, {
    image_mean: clipImageMean,
    image_std: clipImageStd,
    image_processor_type: 'CLIPImageProcessor',
    processor_class: 'CLIPProcessor',
    resample: 3,
    ...extra,
  });
}

/** `onnx/<name>.onnx`, and `onnx/<name>_quantized.onnx` when `quantized`. */
export function onnxFiles(name: string, graph: GraphDefinition, docString: string, quantized: boolean): ForgeFile[] {
  return [
    { path: `onnx/${name}.onnx`, content: onnxContent(createModel(graph, { docString })) },
    ...(quantized
      ? [{ path: `onnx/${name}_quantized.onnx`, content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) }]
      : []),
  ];
}

/**
 * A CLIPModel folder: config, CLIPImageProcessor config, CLIP tokenizer, the two tower files
 * `onnx/text_model.onnx` and `onnx/vision_model.onnx` (what `@accel/skill-clip` and
 * transformers.js's CLIP*ModelWithProjection load) with int8 variants unless `quantized` is false, and the joint
 * `onnx/model.onnx` (transformers.js's CLIPModel and zero-shot pipeline) unless `joint` is false; its
 * `logit_scale` is ln 100.
 */
export function clipFiles({ id, dimensions, quantized = true, joint = true }: ClipOptions): ForgeFile[] {
  const bpe = buildClipBpe(dimensions.text.vocabularySize === undefined ? {} : { size: dimensions.text.vocabularySize });
  const vocabularySize = bpe.vocabulary.length + 2;
  const tokenizer = clipTokenizerFiles(bpe, dimensions.text.maxPositions);
  const graphDimensions: ClipGraphDimensions = {
    text: { ...dimensions.text, vocabularySize },
    vision: dimensions.vision,
    projection: dimensions.projection,
    logitScale: trainedClipLogitScale,
  };
  const { vision } = dimensions;
  const config = {
    architectures: ['CLIPModel'],
    initializer_factor: 1,
    logit_scale_init_value: 2.6592,
    model_type: 'clip',
    projection_dim: dimensions.projection,
    text_config: { ...clipTextConfig(dimensions.text, vocabularySize, { start: bpe.startOfTextId, end: bpe.endOfTextId }, dimensions.projection), model_type: 'clip_text_model' },
    vision_config: {
      attention_dropout: 0,
      hidden_act: 'quick_gelu',
      hidden_size: vision.hidden,
      image_size: vision.imageSize,
      intermediate_size: vision.intermediate,
      layer_norm_eps: clipLayerNormEpsilon,
      model_type: 'clip_vision_model',
      num_attention_heads: vision.heads,
      num_channels: 3,
      num_hidden_layers: vision.layers,
      patch_size: vision.patchSize,
      projection_dim: dimensions.projection,
    },
    model_forge: {
      ...forgeNote(quantized ? quantizationNote : 'none written (tiny size)'),
      logit_scale: joint ? 'onnx/model.onnx holds logit_scale = ln 100, the value of trained OpenAI checkpoints' : 'no joint onnx/model.onnx written (tiny size)',
    },
  };
  const preprocessor = clipImageProcessorConfig(vision.imageSize);
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'preprocessor_config.json', content: jsonContent(preprocessor) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    ...onnxFiles('text_model', buildClipTextGraph(id, graphDimensions), `${id}: CLIPTextModelWithProjection with random weights`, quantized),
    ...onnxFiles('vision_model', buildClipVisionGraph(id, graphDimensions), `${id}: CLIPVisionModelWithProjection with random weights`, quantized),
    ...(joint ? onnxFiles('model', buildClipGraph(id, graphDimensions), `${id}: CLIPModel with random weights`, false) : []),
  ];
}
