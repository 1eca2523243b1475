import { int, ints } from '../onnx/attributes.js';
import type { GraphBuilder, Value } from '../onnx/graph-builder.js';
import { float32Values } from '../onnx/tensor-data.js';
import { causalAttentionMask } from './causal-mask.js';
import { layerNorm, linear, mergeHeads, splitHeads } from './layers.js';
import type { Parameters } from './parameters.js';

/** One transformer stack of a CLIP-style model. */
export interface ClipEncoderDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
}

export interface ClipTextDimensions extends ClipEncoderDimensions {
  readonly vocabularySize: number;
  readonly maxPositions: number;
}

export interface ClipVisionDimensions extends ClipEncoderDimensions {
  readonly imageSize: number;
  readonly patchSize: number;
}

/** CLIP's LayerNorm epsilon (text and vision towers). */
export const clipLayerNormEpsilon = 1e-5;

/** CLIP's `quick_gelu`: x · sigmoid(1.702 · x). */
export function quickGelu(graph: GraphBuilder, input: Value): Value {
  return graph.scope('quick_gelu', () =>
    graph.op('Mul', [input, graph.op('Sigmoid', [graph.op('Mul', [input, graph.constant('float32', [1.702], [])])])]),
  );
}

/** `input @ weight` with no bias (CLIP's projections), weight stored [inFeatures, outFeatures]. */
export function projection(graph: GraphBuilder, parameters: Parameters, name: string, input: Value, inFeatures: number, outFeatures: number): Value {
  const weight = parameters.uniform(`${name}.weight`, [inFeatures, outFeatures], inFeatures);
  return graph.scope(name, () => graph.op('MatMul', [input, weight]));
}

/** Scales each vector along the last axis to unit length. */
export function l2Normalize(graph: GraphBuilder, input: Value): Value {
  return graph.scope('normalize', () =>
    graph.op('Div', [input, graph.op('ReduceL2', [input], { axes: ints([-1]), keepdims: int(1) })]),
  );
}

/**
 * Multi-head attention with separate `q_proj`, `k_proj`, `v_proj` and `out_proj` (CLIP naming):
 * `query` [batch, queries, hidden] attends over `context` [batch, keys, hidden]; the batch dims
 * broadcast. `additiveMask` (or none) is added to the scores.
 */
export function clipAttention(
  graph: GraphBuilder,
  parameters: Parameters,
  prefix: string,
  query: Value,
  context: Value,
  additiveMask: Value | undefined,
  hidden: number,
  heads: number,
  names: { readonly query: string; readonly key: string; readonly value: string; readonly output: string; readonly bias: boolean } = {
    query: 'q_proj',
    key: 'k_proj',
    value: 'v_proj',
    output: 'out_proj',
    bias: true,
  },
): Value {
  if (hidden % heads !== 0) throw new Error(`hidden size ${hidden} is not divisible by ${heads} heads`);
  const headDim = hidden / heads;
  const project = (name: string, input: Value): Value =>
    names.bias
      ? linear(graph, parameters, `${prefix}.${name}`, input, hidden, hidden)
      : projection(graph, parameters, `${prefix}.${name}`, input, hidden, hidden);
  const queries = project(names.query, query);
  const keys = project(names.key, context);
  const values = project(names.value, context);
  const attended = graph.scope(prefix, () => {
    const scores = graph.op('MatMul', [splitHeads(graph, queries, heads, headDim), splitHeads(graph, keys, heads, headDim, true)]);
    const scaled = graph.op('Mul', [scores, graph.constant('float32', [1 / Math.sqrt(headDim)], [])]);
    const masked = additiveMask === undefined ? scaled : graph.op('Add', [scaled, additiveMask]);
    const probabilities = graph.op('Softmax', [masked], { axis: int(-1) });
    return mergeHeads(graph, graph.op('MatMul', [probabilities, splitHeads(graph, values, heads, headDim)]), hidden);
  });
  return linear(graph, parameters, `${prefix}.${names.output}`, attended, hidden, hidden);
}

/** `fc1 → quick_gelu → fc2`. */
export function clipMlp(graph: GraphBuilder, parameters: Parameters, prefix: string, input: Value, hidden: number, intermediate: number): Value {
  const expanded = quickGelu(graph, linear(graph, parameters, `${prefix}.fc1`, input, hidden, intermediate));
  return linear(graph, parameters, `${prefix}.fc2`, expanded, intermediate, hidden);
}

/** CLIPEncoderLayer (pre-LayerNorm): x + attention(ln1(x)), then x + mlp(ln2(x)). */
export function clipEncoderLayer(
  graph: GraphBuilder,
  parameters: Parameters,
  prefix: string,
  input: Value,
  dimensions: ClipEncoderDimensions,
  additiveMask: Value | undefined,
): Value {
  const { hidden, heads, intermediate } = dimensions;
  const normed = layerNorm(graph, parameters, `${prefix}.layer_norm1`, input, hidden, clipLayerNormEpsilon);
  const attended = clipAttention(graph, parameters, `${prefix}.self_attn`, normed, normed, additiveMask, hidden, heads);
  const afterAttention = graph.op('Add', [input, attended], {}, { name: `${prefix}/attention_residual` });
  const feedForwardInput = layerNorm(graph, parameters, `${prefix}.layer_norm2`, afterAttention, hidden, clipLayerNormEpsilon);
  const feedForward = clipMlp(graph, parameters, `${prefix}.mlp`, feedForwardInput, hidden, intermediate);
  return graph.op('Add', [afterAttention, feedForward], {}, { name: `${prefix}/feed_forward_residual` });
}

/** The layers `${prefix}.layers.{i}` in sequence. */
export function clipEncoder(
  graph: GraphBuilder,
  parameters: Parameters,
  prefix: string,
  input: Value,
  dimensions: ClipEncoderDimensions,
  additiveMask: Value | undefined,
): Value {
  let hiddenStates = input;
  for (let layer = 0; layer < dimensions.layers; layer += 1) {
    hiddenStates = clipEncoderLayer(graph, parameters, `${prefix}.layers.${layer}`, hiddenStates, dimensions, additiveMask);
  }
  return hiddenStates;
}

/**
 * CLIPTextTransformer: token + position embeddings, causal and padding mask, the encoder, the
 * final LayerNorm, and the hidden state at the end-of-text token — found, as in the original
 * checkpoints, as the position of the largest token id (`<|endoftext|>` has the largest id).
 */
export function clipTextTower(
  graph: GraphBuilder,
  parameters: Parameters,
  inputIds: Value,
  attentionMask: Value,
  dimensions: ClipTextDimensions,
): { readonly lastHiddenState: Value; readonly pooled: Value } {
  const { hidden } = dimensions;
  const embedded = graph.scope('text_model.embeddings', () => {
    const tokens = parameters.uniform('text_model.embeddings.token_embedding.weight', [dimensions.vocabularySize, hidden], 1);
    const positions = parameters.uniform('text_model.embeddings.position_embedding.weight', [dimensions.maxPositions, hidden], 1);
    const sequenceLength = graph.op('Gather', [graph.op('Shape', [inputIds]), graph.constant('int64', [1], [])], { axis: int(0) });
    const positionIds = graph.op('Range', [graph.constant('int64', [0], []), sequenceLength, graph.constant('int64', [1], [])]);
    return graph.op('Add', [graph.op('Gather', [tokens, inputIds]), graph.op('Gather', [positions, positionIds])]);
  });
  const mask = causalAttentionMask(graph, inputIds, attentionMask);
  const encoded = clipEncoder(graph, parameters, 'text_model.encoder', embedded, dimensions, mask);
  const lastHiddenState = layerNorm(graph, parameters, 'text_model.final_layer_norm', encoded, hidden, clipLayerNormEpsilon);
  const pooled = graph.scope('text_model.pooler', () => {
    const endPositions = graph.op('ArgMax', [graph.op('Cast', [inputIds], { to: int(1) })], { axis: int(-1), keepdims: int(1) });
    return graph.op('GatherND', [lastHiddenState, endPositions], { batch_dims: int(1) });
  });
  return { lastHiddenState, pooled };
}

/**
 * CLIPVisionEmbeddings + `pre_layrnorm` + encoder + `post_layernorm` on the class token, for
 * images [images, 3, size, size] under `prefix` (`vision_model`).
 */
export function clipVisionTower(
  graph: GraphBuilder,
  parameters: Parameters,
  prefix: string,
  pixelValues: Value,
  dimensions: ClipVisionDimensions,
  encode: (embedded: Value) => Value = (embedded) => clipEncoder(graph, parameters, `${prefix}.encoder`, embedded, dimensions, undefined),
): { readonly lastHiddenState: Value; readonly pooled: Value } {
  const { hidden, imageSize, patchSize } = dimensions;
  if (imageSize % patchSize !== 0) throw new Error(`image size ${imageSize} is not a multiple of the patch size ${patchSize}`);
  const patchCount = (imageSize / patchSize) ** 2;
  const embedded = graph.scope(`${prefix}.embeddings`, () => {
    const kernel = parameters.uniform(`${prefix}.embeddings.patch_embedding.weight`, [hidden, 3, patchSize, patchSize], 3 * patchSize * patchSize);
    const classEmbedding = parameters.uniform(`${prefix}.embeddings.class_embedding`, [hidden], 1);
    const positions = parameters.uniform(`${prefix}.embeddings.position_embedding.weight`, [patchCount + 1, hidden], 1);
    const patches = graph.op('Conv', [pixelValues, kernel], { kernel_shape: ints([patchSize, patchSize]), strides: ints([patchSize, patchSize]) });
    const flattened = graph.op('Transpose', [graph.op('Reshape', [patches, graph.constant('int64', [0, hidden, -1])])], { perm: ints([0, 2, 1]) });
    const batch = graph.op('Gather', [graph.op('Shape', [pixelValues]), graph.constant('int64', [0])], { axis: int(0) });
    const classShape = graph.op('Concat', [batch, graph.constant('int64', [1, hidden])], { axis: int(0) });
    const classTokens = graph.op('Expand', [graph.op('Reshape', [classEmbedding, graph.constant('int64', [1, 1, hidden])]), classShape]);
    return graph.op('Add', [graph.op('Concat', [classTokens, flattened], { axis: int(1) }), positions]);
  });
  const normed = layerNorm(graph, parameters, `${prefix}.pre_layrnorm`, embedded, hidden, clipLayerNormEpsilon);
  const lastHiddenState = encode(normed);
  const pooled = graph.scope(`${prefix}.pooler`, () => {
    const classState = graph.op('Gather', [lastHiddenState, graph.constant('int64', [0], [])], { axis: int(1) });
    return layerNorm(graph, parameters, `${prefix}.post_layernorm`, classState, hidden, clipLayerNormEpsilon);
  });
  return { lastHiddenState, pooled };
}

/** `exp(logit_scale)` where `logit_scale` is a learned scalar initializer (ln 100 in trained CLIP checkpoints). */
export function logitScale(graph: GraphBuilder, value: number): Value {
  const scale = graph.initializer('logit_scale', 'float32', [], float32Values([value]));
  return graph.op('Exp', [scale], {}, { name: 'logit_scale_exp' });
}
