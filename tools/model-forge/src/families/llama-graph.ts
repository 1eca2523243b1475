import { int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { finishCausalLanguageModel } from './causal-lm-outputs.js';
import { causalAttentionMask } from './causal-mask.js';
import { mergeHeads, scaledDotProductAttention, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';

export interface LlamaGraphDimensions {
  readonly layers: number;
  readonly hidden: number;
  /** Query heads (`num_attention_heads`). */
  readonly heads: number;
  /** Key/value heads (`num_key_value_heads`); `heads` must be a multiple (grouped-query attention). */
  readonly keyValueHeads: number;
  /** Size of one head (`head_dim`); need not be hidden / heads. */
  readonly headDim: number;
  /** Width of the SwiGLU feed-forward layer (`intermediate_size`). */
  readonly intermediate: number;
  readonly vocabularySize: number;
  readonly ropeTheta: number;
  readonly rmsNormEpsilon: number;
  /** Biases on the query, key and value projections (Qwen2's `attention_bias`); default none, as LLaMA. */
  readonly attentionBias?: boolean;
  /** Each token attends to at most this many most recent tokens, itself included (Mistral's `sliding_window`); default unlimited. */
  readonly slidingWindow?: number;
}

const totalLength = 'past_sequence_length + sequence_length';

/** `input @ weight`, no bias (LLaMA's projections), weight stored [inFeatures, outFeatures]. */
function projection(graph: GraphBuilder, parameters: Parameters, name: string, input: Value, inFeatures: number, outFeatures: number): Value {
  const weight = parameters.uniform(`${name}.weight`, [inFeatures, outFeatures], inFeatures);
  return graph.scope(name, () => graph.op('MatMul', [input, weight]));
}

/** `input @ weight + bias` (Qwen2's query, key and value projections). */
function biasedProjection(graph: GraphBuilder, parameters: Parameters, name: string, input: Value, inFeatures: number, outFeatures: number): Value {
  const bias = parameters.uniform(`${name}.bias`, [outFeatures], inFeatures);
  return graph.scope(name, () => graph.op('Add', [projection(graph, parameters, name, input, inFeatures, outFeatures), bias]));
}

/** RMSNorm: x / √(mean(x²) + ε) · weight. */
function rmsNorm(graph: GraphBuilder, parameters: Parameters, name: string, input: Value, features: number, epsilon: number): Value {
  const weight = parameters.filled(`${name}.weight`, [features], 1);
  return graph.scope(name, () => {
    const meanSquare = graph.op('ReduceMean', [graph.op('Mul', [input, input])], { axes: ints([-1]), keepdims: int(1) });
    const root = graph.op('Sqrt', [graph.op('Add', [meanSquare, graph.constant('float32', [epsilon], [])])]);
    return graph.op('Mul', [graph.op('Div', [input, root]), weight]);
  });
}

/**
 * Rotary embedding tables for the new tokens, from `position_ids`: cos and sin of
 * position · θ^(−2i/d), each half repeated ([batch, 1, sequence, head_dim]), as Hugging Face's
 * LlamaRotaryEmbedding computes them.
 */
function rotaryTables(graph: GraphBuilder, positionIds: Value, headDim: number, theta: number): { cos: Value; sin: Value } {
  return graph.scope('model.rotary_emb', () => {
    const inverseFrequencies = Array.from({ length: headDim / 2 }, (_, index) => 1 / theta ** ((2 * index) / headDim));
    const positions = graph.op('Unsqueeze', [graph.op('Cast', [positionIds], { to: int(1) }), graph.constant('int64', [2])]);
    const angles = graph.op('Mul', [positions, graph.constant('float32', inverseFrequencies)]);
    const doubled = graph.op('Concat', [angles, angles], { axis: int(-1) });
    const perHead = graph.constant('int64', [1]);
    return {
      cos: graph.op('Unsqueeze', [graph.op('Cos', [doubled]), perHead]),
      sin: graph.op('Unsqueeze', [graph.op('Sin', [doubled]), perHead]),
    };
  });
}

/** x · cos + rotate_half(x) · sin, with rotate_half(x) = [−x₂, x₁] over the two halves of head_dim. */
function applyRotary(graph: GraphBuilder, input: Value, tables: { cos: Value; sin: Value }, headDim: number): Value {
  return graph.scope('rotary', () => {
    const half = headDim / 2;
    const [first, second] = graph.opWithOutputs('Split', [input, graph.constant('int64', [half, half])], 2, { axis: int(-1) });
    const rotated = graph.op('Concat', [graph.op('Neg', [second!]), first!], { axis: int(-1) });
    return graph.op('Add', [graph.op('Mul', [input, tables.cos]), graph.op('Mul', [rotated, tables.sin])]);
  });
}

/** [batch, kv_heads, length, head_dim] → [batch, kv_heads · groups, length, head_dim], each key/value head repeated for its query group. */
function repeatKeyValue(graph: GraphBuilder, input: Value, groups: number, heads: number, headDim: number): Value {
  if (groups === 1) return input;
  return graph.scope('repeat_kv', () => {
    const unsqueezed = graph.op('Unsqueeze', [input, graph.constant('int64', [2])]);
    const expanded = graph.op('Expand', [unsqueezed, graph.constant('int64', [1, 1, groups, 1, 1])]);
    return graph.op('Reshape', [expanded, graph.constant('int64', [0, heads, -1, headDim])]);
  });
}

/**
 * LlamaForCausalLM with a KV cache, laid out like the transformers.js export: `input_ids`,
 * `attention_mask` [batch_size, past + sequence], `position_ids` [batch_size, sequence_length],
 * `past_key_values.{i}.key|value` [batch_size, kv_heads, past_sequence_length, head_dim] →
 * `logits`, `present.{i}.key|value`. Grouped-query attention (keys and values have
 * `keyValueHeads` heads, repeated for the query heads), rotary position embedding from
 * `position_ids`, RMSNorm, SwiGLU feed-forward, no biases, `lm_head` tied to the token embedding.
 */
export function buildLlamaGraph(seed: string, dimensions: LlamaGraphDimensions): GraphDefinition {
  const { hidden, heads, keyValueHeads, headDim, intermediate, vocabularySize, rmsNormEpsilon } = dimensions;
  if (heads % keyValueHeads !== 0) throw new Error(`${heads} query heads cannot be grouped over ${keyValueHeads} key/value heads`);
  if (headDim % 2 !== 0) throw new Error(`head_dim ${headDim} must be even for the rotary embedding`);
  const groups = heads / keyValueHeads;
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch_size', totalLength]);
  const positionIds = graph.input('position_ids', 'int64', ['batch_size', 'sequence_length']);
  const past = Array.from({ length: dimensions.layers }, (_, layer) => ({
    key: graph.input(`past_key_values.${layer}.key`, 'float32', ['batch_size', keyValueHeads, 'past_sequence_length', headDim]),
    value: graph.input(`past_key_values.${layer}.value`, 'float32', ['batch_size', keyValueHeads, 'past_sequence_length', headDim]),
  }));

  const tokenEmbeddingData = parameters.uniformData('model.embed_tokens.weight', [vocabularySize, hidden], hidden);
  const tokenEmbedding = graph.initializer('model.embed_tokens.weight', 'float32', [vocabularySize, hidden], tokenEmbeddingData);
  let hiddenStates = graph.scope('model.embed_tokens', () => graph.op('Gather', [tokenEmbedding, inputIds]));
  const additiveMask = causalAttentionMask(graph, inputIds, attentionMask, dimensions.slidingWindow);
  const attentionProjection = dimensions.attentionBias === true ? biasedProjection : projection;
  const tables = rotaryTables(graph, positionIds, headDim, dimensions.ropeTheta);

  const presents: Array<{ key: Value; value: Value }> = [];
  for (const [layer, cache] of past.entries()) {
    const prefix = `model.layers.${layer}`;
    const normed = rmsNorm(graph, parameters, `${prefix}.input_layernorm`, hiddenStates, hidden, rmsNormEpsilon);
    const query = splitHeads(graph, attentionProjection(graph, parameters, `${prefix}.self_attn.q_proj`, normed, hidden, heads * headDim), heads, headDim);
    const key = splitHeads(graph, attentionProjection(graph, parameters, `${prefix}.self_attn.k_proj`, normed, hidden, keyValueHeads * headDim), keyValueHeads, headDim);
    const value = splitHeads(graph, attentionProjection(graph, parameters, `${prefix}.self_attn.v_proj`, normed, hidden, keyValueHeads * headDim), keyValueHeads, headDim);
    const attended = graph.scope(`${prefix}.self_attn`, () => {
      const rotatedQuery = applyRotary(graph, query, tables, headDim);
      const present = {
        key: graph.op('Concat', [cache.key, applyRotary(graph, key, tables, headDim)], { axis: int(2) }),
        value: graph.op('Concat', [cache.value, value], { axis: int(2) }),
      };
      presents.push(present);
      const allKeys = repeatKeyValue(graph, present.key, groups, heads, headDim);
      const allValues = repeatKeyValue(graph, present.value, groups, heads, headDim);
      const transposedKey = graph.op('Transpose', [allKeys], { perm: ints([0, 1, 3, 2]) });
      return mergeHeads(graph, scaledDotProductAttention(graph, rotatedQuery, transposedKey, allValues, additiveMask, headDim), heads * headDim);
    });
    const attentionOutput = projection(graph, parameters, `${prefix}.self_attn.o_proj`, attended, heads * headDim, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, attentionOutput], {}, { name: `${prefix}/attention_residual` });
    const feedForwardInput = rmsNorm(graph, parameters, `${prefix}.post_attention_layernorm`, hiddenStates, hidden, rmsNormEpsilon);
    const gate = projection(graph, parameters, `${prefix}.mlp.gate_proj`, feedForwardInput, hidden, intermediate);
    const up = projection(graph, parameters, `${prefix}.mlp.up_proj`, feedForwardInput, hidden, intermediate);
    const activated = graph.scope(`${prefix}.mlp.act_fn`, () => graph.op('Mul', [gate, graph.op('Sigmoid', [gate])]));
    const feedForward = projection(graph, parameters, `${prefix}.mlp.down_proj`, graph.op('Mul', [activated, up]), intermediate, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, feedForward], {}, { name: `${prefix}/feed_forward_residual` });
  }

  const finalNorm = rmsNorm(graph, parameters, 'model.norm', hiddenStates, hidden, rmsNormEpsilon);
  return finishCausalLanguageModel(graph, { finalNorm, tokenEmbeddingData, hidden, vocabularySize, presents, cacheHeads: keyValueHeads, headDim });
}
