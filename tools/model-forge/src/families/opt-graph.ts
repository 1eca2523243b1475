import { int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { finishCausalLanguageModel } from './causal-lm-outputs.js';
import { causalAttentionMask } from './causal-mask.js';
import { layerNorm, linear, mergeHeads, scaledDotProductAttention, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';

export interface OptGraphDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  /** Width of the feed-forward layer (`ffn_dim`). */
  readonly feedForward: number;
  readonly maxPositions: number;
  readonly vocabularySize: number;
}

/** OPT's learned positional embedding is indexed by position + 2 (rows 0 and 1 are reserved). */
export const optPositionOffset = 2;

const totalLength = 'past_sequence_length + sequence_length';
const layerNormEpsilon = 1e-5;

/**
 * Positions as OPT computes them from the attention mask, for the new tokens only:
 * `cumsum(mask) · mask − 1 + 2`, so left padding does not shift a row's positions and padding
 * itself reads row 1 (the padding row) of the table.
 */
function optPositions(graph: GraphBuilder, inputIds: Value, attentionMask: Value): Value {
  return graph.scope('model.decoder.embed_positions', () => {
    const one = graph.constant('int64', [1], []);
    const lengthOf = (value: Value): Value =>
      graph.op('Gather', [graph.op('Shape', [value]), one], { axis: int(0) });
    const totalTokens = lengthOf(attentionMask);
    const pastLength = graph.op('Sub', [totalTokens, lengthOf(inputIds)]);
    const counted = graph.op('CumSum', [attentionMask, one]);
    const positions = graph.op('Sub', [graph.op('Mul', [counted, attentionMask]), one]);
    const newTokens = graph.op('Slice', [
      positions,
      graph.op('Unsqueeze', [pastLength, graph.constant('int64', [0])]),
      graph.op('Unsqueeze', [totalTokens, graph.constant('int64', [0])]),
      graph.constant('int64', [1]),
    ]);
    return graph.op('Add', [newTokens, graph.constant('int64', [optPositionOffset], [])]);
  });
}

/**
 * OPTForCausalLM (pre-LayerNorm, ReLU feed-forward, as opt-125m) with a KV cache, laid out like
 * the transformers.js export: `input_ids`, `attention_mask` [batch_size, past + sequence],
 * `past_key_values.{i}.key|value` [batch_size, heads, past_sequence_length, head_dim] →
 * `logits`, `present.{i}.key|value`. There is no `position_ids` input: positions come from the
 * attention mask inside the graph, as in the real model. `lm_head.weight` is tied to the token
 * embedding (a transposed copy).
 */
export function buildOptGraph(seed: string, dimensions: OptGraphDimensions): GraphDefinition {
  const { hidden, heads, feedForward, vocabularySize } = dimensions;
  if (hidden % heads !== 0) throw new Error(`hidden size ${hidden} is not divisible by ${heads} heads`);
  const headDim = hidden / heads;
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch_size', totalLength]);
  const past = Array.from({ length: dimensions.layers }, (_, layer) => ({
    key: graph.input(`past_key_values.${layer}.key`, 'float32', ['batch_size', heads, 'past_sequence_length', headDim]),
    value: graph.input(`past_key_values.${layer}.value`, 'float32', ['batch_size', heads, 'past_sequence_length', headDim]),
  }));

  const tokenEmbeddingData = parameters.uniformData('model.decoder.embed_tokens.weight', [vocabularySize, hidden], hidden);
  const tokenEmbedding = graph.initializer('model.decoder.embed_tokens.weight', 'float32', [vocabularySize, hidden], tokenEmbeddingData);
  const positionEmbedding = parameters.uniform('model.decoder.embed_positions.weight', [dimensions.maxPositions + optPositionOffset, hidden], 1);
  const positions = optPositions(graph, inputIds, attentionMask);
  let hiddenStates = graph.scope('model.decoder.embeddings', () =>
    graph.op('Add', [graph.op('Gather', [tokenEmbedding, inputIds]), graph.op('Gather', [positionEmbedding, positions])]),
  );
  const additiveMask = causalAttentionMask(graph, inputIds, attentionMask);

  const presents: Array<{ key: Value; value: Value }> = [];
  for (const [layer, cache] of past.entries()) {
    const prefix = `model.decoder.layers.${layer}`;
    const normed = layerNorm(graph, parameters, `${prefix}.self_attn_layer_norm`, hiddenStates, hidden, layerNormEpsilon);
    const query = splitHeads(graph, linear(graph, parameters, `${prefix}.self_attn.q_proj`, normed, hidden, hidden), heads, headDim);
    const key = splitHeads(graph, linear(graph, parameters, `${prefix}.self_attn.k_proj`, normed, hidden, hidden), heads, headDim);
    const value = splitHeads(graph, linear(graph, parameters, `${prefix}.self_attn.v_proj`, normed, hidden, hidden), heads, headDim);
    const attended = graph.scope(`${prefix}.self_attn`, () => {
      const present = {
        key: graph.op('Concat', [cache.key, key], { axis: int(2) }),
        value: graph.op('Concat', [cache.value, value], { axis: int(2) }),
      };
      presents.push(present);
      const transposedKey = graph.op('Transpose', [present.key], { perm: ints([0, 1, 3, 2]) });
      return mergeHeads(graph, scaledDotProductAttention(graph, query, transposedKey, present.value, additiveMask, headDim), hidden);
    });
    const attentionOutput = linear(graph, parameters, `${prefix}.self_attn.out_proj`, attended, hidden, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, attentionOutput], {}, { name: `${prefix}/attention_residual` });
    const feedForwardInput = layerNorm(graph, parameters, `${prefix}.final_layer_norm`, hiddenStates, hidden, layerNormEpsilon);
    const expanded = graph.op('Relu', [linear(graph, parameters, `${prefix}.fc1`, feedForwardInput, hidden, feedForward)]);
    const feedForwardOutput = linear(graph, parameters, `${prefix}.fc2`, expanded, feedForward, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, feedForwardOutput], {}, { name: `${prefix}/feed_forward_residual` });
  }

  const finalNorm = layerNorm(graph, parameters, 'model.decoder.final_layer_norm', hiddenStates, hidden, layerNormEpsilon);
  return finishCausalLanguageModel(graph, { finalNorm, tokenEmbeddingData, hidden, vocabularySize, presents, cacheHeads: heads, headDim });
}
