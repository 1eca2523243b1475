import { int } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { gelu, layerNorm, linear, maskedScore, mergeHeads, scaledDotProductAttention, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';
import { relativePositionBias } from './t5-layers.js';

export interface BertGraphDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly vocabularySize: number;
  readonly typeVocabularySize: number;
  readonly layerNormEpsilon: number;
}

/**
 * BertModel: `input_ids`, `attention_mask`, `token_type_ids` [batch_size, sequence_length] →
 * `last_hidden_state` [batch_size, sequence_length, hidden], `pooler_output` [batch_size, hidden].
 * Post-LayerNorm encoder layers with exact (erf) GELU, weights named as in Hugging Face checkpoints.
 */
export function buildBertGraph(seed: string, dimensions: BertGraphDimensions): GraphDefinition {
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const hiddenStates = buildBertEncoder(graph, parameters, dimensions);
  const pooled = bertPooler(graph, parameters, hiddenStates, dimensions.hidden);
  graph.output(hiddenStates, 'last_hidden_state', 'float32', ['batch_size', 'sequence_length', dimensions.hidden]);
  graph.output(pooled, 'pooler_output', 'float32', ['batch_size', dimensions.hidden]);
  return graph.build();
}

export interface BertEncoderOptions {
  /** Declare a `token_type_ids` input and add token-type embeddings (BERT); false for DistilBERT. Default true. */
  readonly tokenTypeIds?: boolean;
  /**
   * RoBERTa's positions: counted over the tokens that are not padding, starting after
   * `padding_idx` (`cumsum(input_ids != pad) · (input_ids != pad) + pad`), so padding tokens get
   * position `pad`. Omitted: 0, 1, 2, … over the sequence (BERT, DistilBERT).
   */
  readonly paddingIndex?: number;
  /**
   * MPNet's relative position bias: one learned [buckets, heads] table
   * (`encoder.relative_attention_bias.weight`), bucketed as T5's bidirectional encoder buckets
   * key − query, added to every layer's attention scores.
   */
  readonly relativeAttention?: { readonly buckets: number; readonly maxDistance: number };
}

/** BERT's pooler: `tanh(dense(hidden state at position 0))` → [batch_size, hidden]. */
export function bertPooler(graph: GraphBuilder, parameters: Parameters, hiddenStates: Value, hidden: number): Value {
  return graph.scope('pooler', () => {
    const first = graph.op('Gather', [hiddenStates, graph.constant('int64', [0], [])], { axis: int(1) });
    return graph.op('Tanh', [linear(graph, parameters, 'pooler.dense', first, hidden, hidden)]);
  });
}

/**
 * Declares `input_ids`, `attention_mask` (and `token_type_ids`) on `graph` and builds BERT's
 * embeddings and encoder layers; returns the last hidden state [batch_size, sequence_length, hidden].
 */
export function buildBertEncoder(
  graph: GraphBuilder,
  parameters: Parameters,
  dimensions: BertGraphDimensions,
  { tokenTypeIds: withTokenTypes = true, paddingIndex, relativeAttention }: BertEncoderOptions = {},
): Value {
  const { hidden, heads, intermediate, layerNormEpsilon } = dimensions;
  if (hidden % heads !== 0) throw new Error(`hidden size ${hidden} is not divisible by ${heads} heads`);
  const headDim = hidden / heads;
  const residualLayerNorm = (name: string, output: Value, residual: Value): Value =>
    layerNorm(graph, parameters, name, graph.op('Add', [output, residual], {}, { name: `${name}/residual` }), hidden, layerNormEpsilon);
  const tokenShape = ['batch_size', 'sequence_length'];
  const inputIds = graph.input('input_ids', 'int64', tokenShape);
  const attentionMask = graph.input('attention_mask', 'int64', tokenShape);
  const tokenTypeIds = withTokenTypes ? graph.input('token_type_ids', 'int64', tokenShape) : undefined;

  const embedded = graph.scope('embeddings', () => {
    const words = parameters.uniform('embeddings.word_embeddings.weight', [dimensions.vocabularySize, hidden], 1);
    const positions = parameters.uniform('embeddings.position_embeddings.weight', [dimensions.maxPositions, hidden], 1);
    const tokenTypes =
      tokenTypeIds === undefined ? undefined : parameters.uniform('embeddings.token_type_embeddings.weight', [dimensions.typeVocabularySize, hidden], 1);
    let positionIds: Value;
    if (paddingIndex === undefined) {
      const sequenceLength = graph.op('Gather', [graph.op('Shape', [inputIds]), graph.constant('int64', [1], [])], { axis: int(0) });
      positionIds = graph.op('Range', [graph.constant('int64', [0], []), sequenceLength, graph.constant('int64', [1], [])]);
    } else {
      const padding = graph.constant('int64', [paddingIndex], []);
      const notPadding = graph.op('Cast', [graph.op('Not', [graph.op('Equal', [inputIds, padding])])], { to: int(7) });
      const counted = graph.op('Mul', [graph.op('CumSum', [notPadding, graph.constant('int64', [1], [])]), notPadding]);
      positionIds = graph.op('Add', [counted, padding]);
    }
    const wordEmbeddings = graph.op('Gather', [words, inputIds]);
    const sum = graph.op('Add', [
      tokenTypes === undefined || tokenTypeIds === undefined
        ? wordEmbeddings
        : graph.op('Add', [wordEmbeddings, graph.op('Gather', [tokenTypes, tokenTypeIds])]),
      graph.op('Gather', [positions, positionIds]),
    ]);
    return layerNorm(graph, parameters, 'embeddings.LayerNorm', sum, hidden, layerNormEpsilon);
  });

  const paddingMask = graph.scope('mask', () => {
    const mask = graph.op('Cast', [attentionMask], { to: int(1) });
    const expanded = graph.op('Unsqueeze', [mask, graph.constant('int64', [1, 2])]);
    const inverted = graph.op('Sub', [graph.constant('float32', [1], []), expanded]);
    return graph.op('Mul', [inverted, graph.constant('float32', [maskedScore], [])]);
  });
  // The position bias is added to the scores with the mask: a masked score stays the lowest float.
  const additiveMask =
    relativeAttention === undefined
      ? paddingMask
      : graph.scope('encoder.relative_attention_bias', () => {
          const table = parameters.uniform('encoder.relative_attention_bias.weight', [relativeAttention.buckets, heads], 1);
          const sequenceLength = graph.op('Gather', [graph.op('Shape', [inputIds]), graph.constant('int64', [1], [])], { axis: int(0) });
          const positions = graph.op('Range', [graph.constant('int64', [0], []), sequenceLength, graph.constant('int64', [1], [])]);
          const bias = relativePositionBias(graph, table, positions, positions, { bidirectional: true, ...relativeAttention });
          return graph.op('Add', [bias, paddingMask]);
        });

  let hiddenStates: Value = embedded;
  for (let layer = 0; layer < dimensions.layers; layer += 1) {
    const prefix = `encoder.layer.${layer}`;
    const input = hiddenStates;
    const project = (name: string): Value => linear(graph, parameters, `${prefix}.attention.self.${name}`, input, hidden, hidden);
    const [query, key, value] = [project('query'), project('key'), project('value')];
    const context = graph.scope(`${prefix}.attention.self`, () =>
      mergeHeads(
        graph,
        scaledDotProductAttention(
          graph,
          splitHeads(graph, query, heads, headDim),
          splitHeads(graph, key, heads, headDim, true),
          splitHeads(graph, value, heads, headDim),
          additiveMask,
          headDim,
        ),
        hidden,
      ),
    );
    const attended = linear(graph, parameters, `${prefix}.attention.output.dense`, context, hidden, hidden);
    const attentionOutput = residualLayerNorm(`${prefix}.attention.output.LayerNorm`, attended, input);
    const expanded = gelu(graph, linear(graph, parameters, `${prefix}.intermediate.dense`, attentionOutput, hidden, intermediate));
    const feedForward = linear(graph, parameters, `${prefix}.output.dense`, expanded, intermediate, hidden);
    hiddenStates = residualLayerNorm(`${prefix}.output.LayerNorm`, feedForward, attentionOutput);
  }
  return hiddenStates;
}
