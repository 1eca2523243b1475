import { int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import type { ClipEncoderDimensions, ClipTextDimensions, ClipVisionDimensions } from './clip-encoder.js';
import {
  clipAttention,
  clipEncoder,
  clipLayerNormEpsilon,
  clipMlp,
  clipTextTower,
  clipVisionTower,
  l2Normalize,
  logitScale,
  projection,
  quickGelu,
} from './clip-encoder.js';
import { layerNorm, linear, mergeHeads, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';

export interface XclipGraphDimensions {
  readonly text: ClipTextDimensions;
  /** The per-frame vision tower; `frames` is fixed in the graph (the MIT position embedding has one row per frame). */
  readonly vision: ClipVisionDimensions & { readonly frames: number };
  /** The multi-frame integration transformer over the frames' projected class tokens (its hidden size is `projection`). */
  readonly mit: Omit<ClipEncoderDimensions, 'hidden'>;
  /** The video-specific prompt generator: cross-attention layers from each text to the video's patch tokens. */
  readonly prompt: { readonly layers: number; readonly heads: number; readonly alpha: number };
  readonly projection: number;
  /** The learned temperature before `exp`. */
  readonly logitScale: number;
}

/** Patch tokens per frame (the class token excluded). */
export function xclipPatchCount(vision: ClipVisionDimensions): number {
  return (vision.imageSize / vision.patchSize) ** 2;
}

/** `nn.MultiheadAttention` with a packed `in_proj_weight` (stored [hidden, 3·hidden]) and `out_proj`, self-attention without a mask. */
function packedSelfAttention(graph: GraphBuilder, parameters: Parameters, prefix: string, input: Value, hidden: number, heads: number): Value {
  const headDim = hidden / heads;
  const weight = parameters.uniform(`${prefix}.in_proj_weight`, [hidden, 3 * hidden], hidden);
  const bias = parameters.uniform(`${prefix}.in_proj_bias`, [3 * hidden], hidden);
  const attended = graph.scope(prefix, () => {
    const packed = graph.op('Add', [graph.op('MatMul', [input, weight]), bias]);
    const [query, key, value] = graph.opWithOutputs('Split', [packed, graph.constant('int64', [hidden, hidden, hidden])], 3, { axis: int(-1) });
    const scores = graph.op('MatMul', [splitHeads(graph, query!, heads, headDim), splitHeads(graph, key!, heads, headDim, true)]);
    const scaled = graph.op('Mul', [scores, graph.constant('float32', [1 / Math.sqrt(headDim)], [])]);
    const probabilities = graph.op('Softmax', [scaled], { axis: int(-1) });
    return mergeHeads(graph, graph.op('MatMul', [probabilities, splitHeads(graph, value!, heads, headDim)]), hidden);
  });
  return linear(graph, parameters, `${prefix}.out_proj`, attended, hidden, hidden);
}

/**
 * XCLIPCrossFrameAttentionEncoderLayer: each frame's class token becomes a message token, the
 * messages attend to each other across the video's frames, each frame attends over its tokens
 * plus its message, and the message is dropped again before the MLP.
 */
function crossFrameLayer(
  graph: GraphBuilder,
  parameters: Parameters,
  prefix: string,
  input: Value,
  vision: XclipGraphDimensions['vision'],
): Value {
  const { hidden, heads, intermediate, frames } = vision;
  const tokens = xclipPatchCount(vision) + 1;
  const message = graph.scope(`${prefix}.message`, () => {
    const classTokens = graph.op('Gather', [input, graph.constant('int64', [0], [])], { axis: int(1) });
    const perVideo = graph.op('Reshape', [linear(graph, parameters, `${prefix}.message_fc`, classTokens, hidden, hidden), graph.constant('int64', [-1, frames, hidden])]);
    const normed = layerNorm(graph, parameters, `${prefix}.message_ln`, perVideo, hidden, clipLayerNormEpsilon);
    const mixed = graph.op('Add', [perVideo, packedSelfAttention(graph, parameters, `${prefix}.message_attn`, normed, hidden, heads)]);
    return graph.op('Reshape', [mixed, graph.constant('int64', [-1, 1, hidden])]);
  });
  const withMessage = graph.op('Concat', [input, message], { axis: int(1) });
  const normed = layerNorm(graph, parameters, `${prefix}.layer_norm1`, withMessage, hidden, clipLayerNormEpsilon);
  const attended = graph.op('Add', [withMessage, clipAttention(graph, parameters, `${prefix}.self_attn`, normed, normed, undefined, hidden, heads)]);
  const withoutMessage = graph.op('Slice', [attended, graph.constant('int64', [0]), graph.constant('int64', [tokens]), graph.constant('int64', [1])]);
  const feedForwardInput = layerNorm(graph, parameters, `${prefix}.layer_norm2`, withoutMessage, hidden, clipLayerNormEpsilon);
  return graph.op('Add', [withoutMessage, clipMlp(graph, parameters, `${prefix}.mlp`, feedForwardInput, hidden, intermediate)]);
}

/**
 * The X-CLIP text tower (`onnx/text_model.onnx`, = `XCLIPModel.get_text_features`): `input_ids`,
 * `attention_mask` [batch_size, sequence_length] → `text_embeds` [batch_size, projection], before
 * any video-specific prompting and not normalised.
 */
export function buildXclipTextGraph(seed: string, dimensions: XclipGraphDimensions): GraphDefinition {
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const { pooled } = clipTextTower(graph, parameters, inputIds, attentionMask, dimensions.text);
  graph.output(projection(graph, parameters, 'text_projection', pooled, dimensions.text.hidden, dimensions.projection), 'text_embeds', 'float32', [
    'batch_size',
    dimensions.projection,
  ]);
  return graph.build();
}

/**
 * The X-CLIP video tower (`onnx/vision_model.onnx`): `pixel_values` [batch_size, frames, 3, size, size]
 * → `video_embeds` [batch_size, projection] (= `XCLIPModel.get_video_features`: per-frame ViT with
 * cross-frame message tokens, projected class tokens, the multi-frame integration transformer,
 * mean over frames; not normalised) and `visual_tokens` [batch_size, patches, projection] (the patch
 * tokens after `prompts_visual_layernorm` and `prompts_visual_projection`, averaged over frames:
 * what the prompt generator attends to).
 */
export function buildXclipVisionGraph(seed: string, dimensions: XclipGraphDimensions): GraphDefinition {
  const { vision, projection: projectionSize } = dimensions;
  const patches = xclipPatchCount(vision);
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const pixelValues = graph.input('pixel_values', 'float32', ['batch_size', vision.frames, 3, vision.imageSize, vision.imageSize]);
  const frames = graph.op('Reshape', [pixelValues, graph.constant('int64', [-1, 3, vision.imageSize, vision.imageSize])], {}, { name: 'frames' });
  const tower = clipVisionTower(graph, parameters, 'vision_model', frames, vision, (embedded) => {
    let hiddenStates = embedded;
    for (let layer = 0; layer < vision.layers; layer += 1) {
      hiddenStates = crossFrameLayer(graph, parameters, `vision_model.encoder.layers.${layer}`, hiddenStates, vision);
    }
    return hiddenStates;
  });
  const classFeatures = graph.op('Reshape', [
    projection(graph, parameters, 'visual_projection', tower.pooled, vision.hidden, projectionSize),
    graph.constant('int64', [-1, vision.frames, projectionSize]),
  ]);
  const videoEmbeds = graph.scope('mit', () => {
    const positions = parameters.uniform('mit.position_embedding', [1, vision.frames, projectionSize], 1);
    const encoded = clipEncoder(graph, parameters, 'mit.encoder', graph.op('Add', [classFeatures, positions]), { ...dimensions.mit, hidden: projectionSize }, undefined);
    return graph.op('ReduceMean', [graph.op('Add', [encoded, classFeatures])], { axes: ints([1]), keepdims: int(0) });
  });
  const visualTokens = graph.scope('prompts_visual', () => {
    const patchTokens = graph.op('Slice', [tower.lastHiddenState, graph.constant('int64', [1]), graph.constant('int64', [patches + 1]), graph.constant('int64', [1])]);
    const normed = layerNorm(graph, parameters, 'prompts_visual_layernorm', patchTokens, vision.hidden, clipLayerNormEpsilon);
    const projected = graph.op('MatMul', [normed, parameters.uniform('prompts_visual_projection', [vision.hidden, projectionSize], vision.hidden)]);
    const perVideo = graph.op('Reshape', [projected, graph.constant('int64', [-1, vision.frames, patches, projectionSize])]);
    return graph.op('ReduceMean', [perVideo], { axes: ints([1]), keepdims: int(0) });
  });
  graph.output(videoEmbeds, 'video_embeds', 'float32', ['batch_size', projectionSize]);
  graph.output(visualTokens, 'visual_tokens', 'float32', ['batch_size', patches, projectionSize]);
  return graph.build();
}

/**
 * The X-CLIP head (`onnx/prompt_model.onnx`): `text_embeds` [text_batch_size, projection] and
 * `video_embeds` [video_batch_size, projection] from the two towers, `visual_tokens`
 * [video_batch_size, patches, projection] → `logits_per_video` [video_batch_size, text_batch_size]
 * and `logits_per_text`. Each text is conditioned on each video by the prompt generator
 * (text + alpha · cross-attention layers over the video's tokens), both are L2-normalised, and
 * their dot product is scaled by exp(logit_scale) — as in `XCLIPModel.forward`.
 */
export function buildXclipPromptGraph(seed: string, dimensions: XclipGraphDimensions): GraphDefinition {
  const size = dimensions.projection;
  const patches = xclipPatchCount(dimensions.vision);
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const textEmbeds = graph.input('text_embeds', 'float32', ['text_batch_size', size]);
  const videoEmbeds = graph.input('video_embeds', 'float32', ['video_batch_size', size]);
  const visualTokens = graph.input('visual_tokens', 'float32', ['video_batch_size', patches, size]);
  const visual = layerNorm(graph, parameters, 'prompts_generator.layernorm', visualTokens, size, clipLayerNormEpsilon);
  const texts = graph.op('Unsqueeze', [textEmbeds, graph.constant('int64', [0])], {}, { name: 'texts_per_video' });
  let prompted = texts;
  for (let layer = 0; layer < dimensions.prompt.layers; layer += 1) {
    const prefix = `prompts_generator.decoder.${layer}`;
    const normed = layerNorm(graph, parameters, `${prefix}.norm1`, prompted, size, clipLayerNormEpsilon);
    const attended = clipAttention(graph, parameters, `${prefix}.cross_attn`, normed, visual, undefined, size, dimensions.prompt.heads, {
      query: 'q_proj',
      key: 'k_proj',
      value: 'v_proj',
      output: 'proj',
      bias: false,
    });
    const afterAttention = graph.op('Add', [prompted, attended], {}, { name: `${prefix}/attention_residual` });
    const feedForwardInput = layerNorm(graph, parameters, `${prefix}.norm3`, afterAttention, size, clipLayerNormEpsilon);
    const expanded = quickGelu(graph, linear(graph, parameters, `${prefix}.mlp.0`, feedForwardInput, size, 4 * size));
    prompted = graph.op('Add', [afterAttention, linear(graph, parameters, `${prefix}.mlp.3`, expanded, 4 * size, size)], {}, { name: `${prefix}/feed_forward_residual` });
  }
  const alpha = parameters.filled('prompts_generator.alpha', [size], dimensions.prompt.alpha);
  const conditioned = graph.op('Add', [texts, graph.op('Mul', [prompted, alpha])], {}, { name: 'conditioned_text' });
  const logitsPerVideo = graph.scope('logits', () => {
    const normalizedTexts = l2Normalize(graph, conditioned);
    const normalizedVideos = graph.op('Unsqueeze', [l2Normalize(graph, videoEmbeds), graph.constant('int64', [2])]);
    const dot = graph.op('Squeeze', [graph.op('MatMul', [normalizedTexts, normalizedVideos]), graph.constant('int64', [2])]);
    return graph.op('Mul', [dot, logitScale(graph, dimensions.logitScale)]);
  });
  graph.output(logitsPerVideo, 'logits_per_video', 'float32', ['video_batch_size', 'text_batch_size']);
  graph.output(graph.op('Transpose', [logitsPerVideo], { perm: ints([1, 0]) }), 'logits_per_text', 'float32', ['text_batch_size', 'video_batch_size']);
  return graph.build();
}
