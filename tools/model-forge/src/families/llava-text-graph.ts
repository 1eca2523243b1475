import { int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { transposedFloat32 } from '../onnx/tensor-data.js';
import { causalAttentionMask } from './causal-mask.js';
import { mergeHeads, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';

/** A Qwen2-style language model: RMSNorm, rotary positions, grouped-query attention, SwiGLU, tied head. */
export interface LlavaTextGraphDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly keyValueHeads: number;
  readonly headDim: number;
  readonly intermediate: number;
  readonly vocabularySize: number;
  readonly rmsNormEpsilon: number;
  readonly ropeTheta: number;
}

const totalLength = 'past_sequence_length + sequence_length';
const embeddingName = 'language_model.model.embed_tokens.weight';

function embeddingData(parameters: Parameters, dimensions: LlavaTextGraphDimensions) {
  return parameters.uniformData(embeddingName, [dimensions.vocabularySize, dimensions.hidden], dimensions.hidden);
}

/**
 * LLaVA's `embed_tokens.onnx`: `input_ids` [batch_size, sequence_length] → `inputs_embeds`
 * [batch_size, sequence_length, hidden]. The table is the one the decoder's head is tied to.
 */
export function buildLlavaEmbedTokensGraph(seed: string, dimensions: LlavaTextGraphDimensions): GraphDefinition {
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const table = graph.initializer(embeddingName, 'float32', [dimensions.vocabularySize, dimensions.hidden], embeddingData(parameters, dimensions));
  const embedded = graph.scope('language_model.model.embed_tokens', () => graph.op('Gather', [table, inputIds]));
  graph.output(embedded, 'inputs_embeds', 'float32', ['batch_size', 'sequence_length', dimensions.hidden]);
  return graph.build();
}

function linearWithoutBias(graph: GraphBuilder, parameters: Parameters, name: string, input: Value, inFeatures: number, outFeatures: number): Value {
  const weight = parameters.uniform(`${name}.weight`, [inFeatures, outFeatures], inFeatures);
  return graph.scope(name, () => graph.op('MatMul', [input, weight]));
}

function linearWithBias(graph: GraphBuilder, parameters: Parameters, name: string, input: Value, inFeatures: number, outFeatures: number): Value {
  const bias = parameters.uniform(`${name}.bias`, [outFeatures], inFeatures);
  return graph.scope(name, () => graph.op('Add', [linearWithoutBias(graph, parameters, name, input, inFeatures, outFeatures), bias]));
}

/** x / √(mean(x²) + ε) · weight, over the last axis. */
function rmsNorm(graph: GraphBuilder, parameters: Parameters, name: string, input: Value, features: number, epsilon: number): Value {
  const weight = parameters.filled(`${name}.weight`, [features], 1);
  return graph.scope(name, () => {
    const meanSquare = graph.op('ReduceMean', [graph.op('Mul', [input, input])], { axes: ints([-1]), keepdims: int(1) });
    const root = graph.op('Sqrt', [graph.op('Add', [meanSquare, graph.constant('float32', [epsilon], [])])]);
    return graph.op('Mul', [graph.op('Div', [input, root]), weight]);
  });
}

/** cos and sin of the rotary angles, [batch, 1, sequence, headDim], from `position_ids`. */
function rotaryTables(graph: GraphBuilder, positionIds: Value, headDim: number, theta: number): { cos: Value; sin: Value } {
  return graph.scope('rotary_emb', () => {
    const half = headDim / 2;
    const inverseFrequencies = Array.from({ length: half }, (_, index) => 1 / theta ** ((2 * index) / headDim));
    const positions = graph.op('Unsqueeze', [graph.op('Cast', [positionIds], { to: int(1) }), graph.constant('int64', [2])]);
    const frequencies = graph.op('Mul', [positions, graph.constant('float32', inverseFrequencies, [half])]);
    const angles = graph.op('Unsqueeze', [graph.op('Concat', [frequencies, frequencies], { axis: int(-1) }), graph.constant('int64', [1])]);
    return { cos: graph.op('Cos', [angles]), sin: graph.op('Sin', [angles]) };
  });
}

/** x · cos + rotate_half(x) · sin, where rotate_half([a, b]) = [−b, a] over the last axis. */
function applyRotary(graph: GraphBuilder, input: Value, tables: { cos: Value; sin: Value }, headDim: number): Value {
  const half = headDim / 2;
  const [first, second] = graph.opWithOutputs('Split', [input, graph.constant('int64', [half, half])], 2, { axis: int(-1) });
  const rotated = graph.op('Concat', [graph.op('Neg', [second!]), first!], { axis: int(-1) });
  return graph.op('Add', [graph.op('Mul', [input, tables.cos]), graph.op('Mul', [rotated, tables.sin])]);
}

/**
 * LLaVA's `decoder_model_merged.onnx` for a Qwen2 language model: `inputs_embeds`
 * [batch_size, sequence_length, hidden], `attention_mask` [batch_size, past + sequence],
 * `position_ids` [batch_size, sequence_length], `past_key_values.{i}.key|value`
 * [batch_size, keyValueHeads, past_sequence_length, headDim] → `logits`, `present.{i}.key|value`.
 * Key/value heads and head size are fixed integers. With an empty past the cache `Concat` is a
 * no-op, so one graph serves the first and the cached steps (no `If` is needed: there is no
 * cross-attention to skip).
 */
export function buildLlavaDecoderGraph(seed: string, dimensions: LlavaTextGraphDimensions): GraphDefinition {
  const { hidden, heads, keyValueHeads, headDim, intermediate, vocabularySize, rmsNormEpsilon } = dimensions;
  if (heads % keyValueHeads !== 0) throw new Error(`${heads} attention heads cannot share ${keyValueHeads} key/value heads`);
  if (headDim % 2 !== 0) throw new Error(`rotary embeddings need an even head size, got ${headDim}`);
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputsEmbeds = graph.input('inputs_embeds', 'float32', ['batch_size', 'sequence_length', hidden]);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch_size', totalLength]);
  const positionIds = graph.input('position_ids', 'int64', ['batch_size', 'sequence_length']);
  const past = Array.from({ length: dimensions.layers }, (_, layer) => ({
    key: graph.input(`past_key_values.${layer}.key`, 'float32', ['batch_size', keyValueHeads, 'past_sequence_length', headDim]),
    value: graph.input(`past_key_values.${layer}.value`, 'float32', ['batch_size', keyValueHeads, 'past_sequence_length', headDim]),
  }));

  const additiveMask = causalAttentionMask(graph, inputsEmbeds, attentionMask);
  const tables = rotaryTables(graph, positionIds, headDim, dimensions.ropeTheta);
  const scale = graph.constant('float32', [1 / Math.sqrt(headDim)], []);
  const groupShape = graph.constant('int64', [0, keyValueHeads, -1, 0]);
  const headShape = graph.constant('int64', [0, heads, -1, 0]);

  let hiddenStates = inputsEmbeds;
  const presents: Array<{ key: Value; value: Value }> = [];
  for (const [layer, cache] of past.entries()) {
    const prefix = `language_model.model.layers.${layer}`;
    const normed = rmsNorm(graph, parameters, `${prefix}.input_layernorm`, hiddenStates, hidden, rmsNormEpsilon);
    const attended = graph.scope(`${prefix}.self_attn`, () => {
      const project = (name: string, width: number, headCount: number) =>
        splitHeads(graph, linearWithBias(graph, parameters, `${prefix}.self_attn.${name}`, normed, hidden, width), headCount, headDim);
      const query = applyRotary(graph, project('q_proj', heads * headDim, heads), tables, headDim);
      const key = applyRotary(graph, project('k_proj', keyValueHeads * headDim, keyValueHeads), tables, headDim);
      const value = project('v_proj', keyValueHeads * headDim, keyValueHeads);
      const present = {
        key: graph.op('Concat', [cache.key, key], { axis: int(2) }),
        value: graph.op('Concat', [cache.value, value], { axis: int(2) }),
      };
      presents.push(present);
      // Grouped-query attention without copying keys: the heads sharing one key/value head are
      // stacked along the sequence axis, [batch, keyValueHeads, groupSize · sequence, headDim].
      const groupedQuery = graph.op('Reshape', [query, groupShape]);
      const transposedKey = graph.op('Transpose', [present.key], { perm: ints([0, 1, 3, 2]) });
      const scores = graph.op('Reshape', [graph.op('MatMul', [groupedQuery, transposedKey]), headShape]);
      const scaled = graph.op('Add', [graph.op('Mul', [scores, scale]), additiveMask]);
      const probabilities = graph.op('Softmax', [scaled], { axis: int(-1) });
      const context = graph.op('MatMul', [graph.op('Reshape', [probabilities, groupShape]), present.value]);
      return mergeHeads(graph, graph.op('Reshape', [context, headShape]), heads * headDim);
    });
    const attentionOutput = linearWithoutBias(graph, parameters, `${prefix}.self_attn.o_proj`, attended, heads * headDim, hidden);
    hiddenStates = graph.op('Add', [hiddenStates, attentionOutput], {}, { name: `${prefix}/attention_residual` });
    const feedForwardInput = rmsNorm(graph, parameters, `${prefix}.post_attention_layernorm`, hiddenStates, hidden, rmsNormEpsilon);
    const feedForward = graph.scope(`${prefix}.mlp`, () => {
      const gate = linearWithoutBias(graph, parameters, `${prefix}.mlp.gate_proj`, feedForwardInput, hidden, intermediate);
      const up = linearWithoutBias(graph, parameters, `${prefix}.mlp.up_proj`, feedForwardInput, hidden, intermediate);
      const activated = graph.op('Mul', [graph.op('Mul', [gate, graph.op('Sigmoid', [gate])]), up]);
      return linearWithoutBias(graph, parameters, `${prefix}.mlp.down_proj`, activated, intermediate, hidden);
    });
    hiddenStates = graph.op('Add', [hiddenStates, feedForward], {}, { name: `${prefix}/feed_forward_residual` });
  }

  const finalNorm = rmsNorm(graph, parameters, 'language_model.model.norm', hiddenStates, hidden, rmsNormEpsilon);
  const head = graph.initializer('language_model.lm_head.weight', 'float32', [hidden, vocabularySize], transposedFloat32(embeddingData(parameters, dimensions), vocabularySize, hidden));
  const logits = graph.scope('language_model.lm_head', () => graph.op('MatMul', [finalNorm, head]));

  graph.output(logits, 'logits', 'float32', ['batch_size', 'sequence_length', vocabularySize]);
  for (const [layer, present] of presents.entries()) {
    graph.output(present.key, `present.${layer}.key`, 'float32', ['batch_size', keyValueHeads, totalLength, headDim]);
    graph.output(present.value, `present.${layer}.value`, 'float32', ['batch_size', keyValueHeads, totalLength, headDim]);
  }
  return graph.build();
}
