import { int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { finishCausalLanguageModel } from './causal-lm-outputs.js';
import { causalAttentionMask } from './causal-mask.js';
import { geluTanh, layerNorm, linear, mergeHeads, scaledDotProductAttention, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';

export interface Gpt2GraphDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly maxPositions: number;
  readonly vocabularySize: number;
  readonly layerNormEpsilon: number;
}

const totalLength = 'past_sequence_length + sequence_length';

/**
 * GPT2LMHeadModel with a KV cache, laid out like optimum's `model.onnx`: `input_ids`,
 * `attention_mask` [batch_size, past + sequence], `position_ids`, `past_key_values.{i}.key|value`
 * [batch_size, heads, past_sequence_length, head_dim] → `logits`, `present.{i}.key|value`.
 * Heads and head size are fixed integers, so transformers.js can build the empty first cache.
 * `lm_head.weight` is the transposed copy of the tied token embedding.
 */
export function buildGpt2Graph(seed: string, dimensions: Gpt2GraphDimensions): GraphDefinition {
  const { hidden, heads, vocabularySize, layerNormEpsilon } = dimensions;
  if (hidden % heads !== 0) throw new Error(`hidden size ${hidden} is not divisible by ${heads} heads`);
  const headDim = hidden / heads;
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch_size', totalLength]);
  const positionIds = graph.input('position_ids', 'int64', ['batch_size', 'sequence_length']);
  const past = Array.from({ length: dimensions.layers }, (_, layer) => ({
    key: graph.input(`past_key_values.${layer}.key`, 'float32', ['batch_size', heads, 'past_sequence_length', headDim]),
    value: graph.input(`past_key_values.${layer}.value`, 'float32', ['batch_size', heads, 'past_sequence_length', headDim]),
  }));

  const tokenEmbeddingData = parameters.uniformData('transformer.wte.weight', [vocabularySize, hidden], 1);
  const tokenEmbedding = graph.initializer('transformer.wte.weight', 'float32', [vocabularySize, hidden], tokenEmbeddingData);
  const positionEmbedding = parameters.uniform('transformer.wpe.weight', [dimensions.maxPositions, hidden], 1);
  let hiddenStates = graph.scope('transformer.embeddings', () =>
    graph.op('Add', [graph.op('Gather', [tokenEmbedding, inputIds]), graph.op('Gather', [positionEmbedding, positionIds])]),
  );
  const additiveMask = causalAttentionMask(graph, inputIds, attentionMask);

  const presents: Array<{ key: Value; value: Value }> = [];
  for (const [layer, cache] of past.entries()) {
    const prefix = `transformer.h.${layer}`;
    const normed = layerNorm(graph, parameters, `${prefix}.ln_1`, hiddenStates, hidden, layerNormEpsilon);
    const projected = linear(graph, parameters, `${prefix}.attn.c_attn`, normed, hidden, 3 * hidden);
    const attended = graph.scope(`${prefix}.attn`, () => {
      const [query, key, value] = graph
        .opWithOutputs('Split', [projected, graph.constant('int64', [hidden, hidden, hidden])], 3, { axis: int(-1) })
        .map((part) => splitHeads(graph, part, heads, headDim));
      const present = {
        key: graph.op('Concat', [cache.key, key!], { axis: int(2) }),
        value: graph.op('Concat', [cache.value, value!], { axis: int(2) }),
      };
      presents.push(present);
      const transposedKey = graph.op('Transpose', [present.key], { perm: ints([0, 1, 3, 2]) });
      return mergeHeads(graph, scaledDotProductAttention(graph, query!, transposedKey, present.value, additiveMask, headDim), hidden);
    });
    const attentionOutput = linear(graph, parameters, `${prefix}.attn.c_proj`, attended, hidden, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, attentionOutput], {}, { name: `${prefix}/attention_residual` });
    const feedForwardInput = layerNorm(graph, parameters, `${prefix}.ln_2`, hiddenStates, hidden, layerNormEpsilon);
    const expanded = geluTanh(graph, linear(graph, parameters, `${prefix}.mlp.c_fc`, feedForwardInput, hidden, 4 * hidden));
    const feedForward = linear(graph, parameters, `${prefix}.mlp.c_proj`, expanded, 4 * hidden, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, feedForward], {}, { name: `${prefix}/feed_forward_residual` });
  }

  const finalNorm = layerNorm(graph, parameters, 'transformer.ln_f', hiddenStates, hidden, layerNormEpsilon);
  return finishCausalLanguageModel(graph, { finalNorm, tokenEmbeddingData, hidden, vocabularySize, presents, cacheHeads: heads, headDim });
}
