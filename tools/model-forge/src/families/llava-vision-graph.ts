import { int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { gelu, geluTanh, layerNorm, linear, mergeHeads, scaledDotProductAttention, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';

/**
 * `clip`: CLIPVisionModel (class token, `pre_layrnorm`, quick GELU, patch convolution without bias).
 * `siglip`: SiglipVisionModel (no class token, patch convolution with bias, tanh GELU, `post_layernorm`).
 */
export type VisionTowerStyle = 'clip' | 'siglip';

export interface LlavaVisionGraphDimensions {
  readonly style: VisionTowerStyle;
  readonly imageSize: number;
  readonly patchSize: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  /** Encoder layers computed (the layers up to `vision_feature_layer`). */
  readonly layers: number;
  readonly layerNormEpsilon: number;
  /** The language model's hidden size: the projector's output. */
  readonly textHidden: number;
  /** `clip` only: keep the class token's feature in `image_features` (`vision_feature_select_strategy: "full"`). */
  readonly keepClassToken: boolean;
  /**
   * Appends the model's `image_newline` parameter as one more row of `image_features`
   * ([batch, N + 1, textHidden]), as Hugging Face's LLaVA-OneVision does for an image seen as one
   * view (LLaVA-Next / OneVision exports for transformers.js).
   */
  readonly imageNewline: boolean;
}

/** Image features per image: (imageSize / patchSize)², plus the class token when it is kept. */
export function imageFeatureCount(dimensions: Pick<LlavaVisionGraphDimensions, 'imageSize' | 'patchSize' | 'style' | 'keepClassToken'>): number {
  const grid = Math.floor(dimensions.imageSize / dimensions.patchSize);
  return grid * grid + (dimensions.style === 'clip' && dimensions.keepClassToken ? 1 : 0);
}

function quickGelu(graph: GraphBuilder, input: Value): Value {
  return graph.scope('quick_gelu', () =>
    graph.op('Mul', [input, graph.op('Sigmoid', [graph.op('Mul', [input, graph.constant('float32', [1.702], [])])])]),
  );
}

/**
 * LLaVA's `vision_encoder.onnx`: the vision tower up to the feature layer, feature selection and
 * the multi-modal projector (linear → GELU → linear), as transformers.js expects it:
 * `pixel_values` [batch_size, 3, S, S] → `image_features` [batch_size, N, textHidden]. With
 * `imageNewline`, every view's features end with the `image_newline` embedding: [batch_size, N + 1, textHidden].
 */
export function buildLlavaVisionGraph(seed: string, dimensions: LlavaVisionGraphDimensions): GraphDefinition {
  const { style, imageSize, patchSize, hidden, heads, intermediate, layerNormEpsilon, textHidden } = dimensions;
  if (hidden % heads !== 0) throw new Error(`vision hidden size ${hidden} is not divisible by ${heads} heads`);
  const headDim = hidden / heads;
  const patches = Math.floor(imageSize / patchSize) ** 2;
  const classToken = style === 'clip';
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const prefix = 'vision_tower.vision_model';
  const pixelValues = graph.input('pixel_values', 'float32', ['batch_size', 3, imageSize, imageSize]);

  let hiddenStates = graph.scope(`${prefix}.embeddings`, () => {
    const fanIn = 3 * patchSize * patchSize;
    const weight = parameters.uniform(`${prefix}.embeddings.patch_embedding.weight`, [hidden, 3, patchSize, patchSize], fanIn);
    const convolutionInputs = classToken ? [pixelValues, weight] : [pixelValues, weight, parameters.uniform(`${prefix}.embeddings.patch_embedding.bias`, [hidden], fanIn)];
    const convolved = graph.op('Conv', convolutionInputs, { kernel_shape: ints([patchSize, patchSize]), strides: ints([patchSize, patchSize]) });
    const flattened = graph.op('Reshape', [convolved, graph.constant('int64', [0, hidden, patches])]);
    let embeddings = graph.op('Transpose', [flattened], { perm: ints([0, 2, 1]) });
    if (classToken) {
      const classEmbedding = parameters.uniform(`${prefix}.embeddings.class_embedding`, [1, 1, hidden], 1);
      const batch = graph.op('Gather', [graph.op('Shape', [pixelValues]), graph.constant('int64', [0])], { axis: int(0) });
      const expandShape = graph.op('Concat', [batch, graph.constant('int64', [1, 1])], { axis: int(0) });
      embeddings = graph.op('Concat', [graph.op('Expand', [classEmbedding, expandShape]), embeddings], { axis: int(1) });
    }
    const positions = parameters.uniform(`${prefix}.embeddings.position_embedding.weight`, [patches + (classToken ? 1 : 0), hidden], 1);
    return graph.op('Add', [embeddings, positions]);
  });
  if (classToken) hiddenStates = layerNorm(graph, parameters, `${prefix}.pre_layrnorm`, hiddenStates, hidden, layerNormEpsilon);

  const noMask = graph.constant('float32', [0], []);
  for (let layer = 0; layer < dimensions.layers; layer += 1) {
    const layerPrefix = `${prefix}.encoder.layers.${layer}`;
    const normed = layerNorm(graph, parameters, `${layerPrefix}.layer_norm1`, hiddenStates, hidden, layerNormEpsilon);
    const attended = graph.scope(`${layerPrefix}.self_attn`, () => {
      const query = splitHeads(graph, linear(graph, parameters, `${layerPrefix}.self_attn.q_proj`, normed, hidden, hidden), heads, headDim);
      const key = splitHeads(graph, linear(graph, parameters, `${layerPrefix}.self_attn.k_proj`, normed, hidden, hidden), heads, headDim, true);
      const value = splitHeads(graph, linear(graph, parameters, `${layerPrefix}.self_attn.v_proj`, normed, hidden, hidden), heads, headDim);
      return mergeHeads(graph, scaledDotProductAttention(graph, query, key, value, noMask, headDim), hidden);
    });
    const attentionOutput = linear(graph, parameters, `${layerPrefix}.self_attn.out_proj`, attended, hidden, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, attentionOutput], {}, { name: `${layerPrefix}/attention_residual` });
    const feedForwardInput = layerNorm(graph, parameters, `${layerPrefix}.layer_norm2`, hiddenStates, hidden, layerNormEpsilon);
    const up = linear(graph, parameters, `${layerPrefix}.mlp.fc1`, feedForwardInput, hidden, intermediate);
    const activated = classToken ? quickGelu(graph, up) : geluTanh(graph, up);
    const feedForward = linear(graph, parameters, `${layerPrefix}.mlp.fc2`, activated, intermediate, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, feedForward], {}, { name: `${layerPrefix}/feed_forward_residual` });
  }
  if (!classToken) hiddenStates = layerNorm(graph, parameters, `${prefix}.post_layernorm`, hiddenStates, hidden, layerNormEpsilon);
  if (classToken && !dimensions.keepClassToken) {
    hiddenStates = graph.scope('feature_select', () =>
      graph.op('Slice', [hiddenStates, graph.constant('int64', [1]), graph.constant('int64', [patches + 1]), graph.constant('int64', [1])]),
    );
  }

  const projected = graph.scope('multi_modal_projector', () => {
    const first = linear(graph, parameters, 'multi_modal_projector.linear_1', hiddenStates, hidden, textHidden);
    return linear(graph, parameters, 'multi_modal_projector.linear_2', gelu(graph, first), textHidden, textHidden);
  });
  if (!dimensions.imageNewline) {
    graph.output(projected, 'image_features', 'float32', ['batch_size', imageFeatureCount(dimensions), textHidden]);
    return graph.build();
  }
  const withNewline = graph.scope('image_newline', () => {
    const newline = parameters.uniform('image_newline', [1, 1, textHidden], textHidden);
    const batch = graph.op('Gather', [graph.op('Shape', [pixelValues]), graph.constant('int64', [0])], { axis: int(0) });
    const expandShape = graph.op('Concat', [batch, graph.constant('int64', [1, textHidden])], { axis: int(0) });
    return graph.op('Concat', [projected, graph.op('Expand', [newline, expandShape])], { axis: int(1) });
  });
  graph.output(withNewline, 'image_features', 'float32', ['batch_size', imageFeatureCount(dimensions) + 1, textHidden]);
  return graph.build();
}
