import { int } from '../onnx/attributes.js';
import type { GraphBuilder, Value } from '../onnx/graph-builder.js';
import { gelu, layerNorm, linear, maskedScore, mergeHeads, scaledDotProductAttention, splitHeads } from './layers.js';
import type { Parameters } from './parameters.js';

/** RoBERTa, as CLAP's text tower. */
export interface RobertaDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  /** Position table size; RoBERTa offsets positions by `padTokenId + 1`, so texts fit `maxPositions − 2` tokens. */
  readonly maxPositions: number;
  readonly vocabularySize: number;
  readonly padTokenId: number;
  readonly layerNormEpsilon: number;
}

/**
 * RoBERTa encoder with its pooler, as Hugging Face's ClapTextModel: positions are
 * `cumsum(input_ids ≠ pad) · (input_ids ≠ pad) + pad`, one token type, post-LayerNorm layers,
 * pooler = tanh(dense(first token)). Returns the pooled [batch, hidden] output.
 */
export function buildRobertaEncoder(graph: GraphBuilder, parameters: Parameters, inputIds: Value, attentionMask: Value, dimensions: RobertaDimensions, prefix = 'text_model'): Value {
  const { hidden, heads, intermediate, layerNormEpsilon } = dimensions;
  if (hidden % heads !== 0) throw new Error(`hidden size ${hidden} is not divisible by ${heads} heads`);
  const headDim = hidden / heads;
  const embedded = graph.scope(`${prefix}.embeddings`, () => {
    const words = parameters.uniform(`${prefix}.embeddings.word_embeddings.weight`, [dimensions.vocabularySize, hidden], 1);
    const positions = parameters.uniform(`${prefix}.embeddings.position_embeddings.weight`, [dimensions.maxPositions, hidden], 1);
    const tokenType = parameters.uniform(`${prefix}.embeddings.token_type_embeddings.weight`, [1, hidden], 1);
    const padId = graph.constant('int64', [dimensions.padTokenId], []);
    const notPadding = graph.op('Cast', [graph.op('Not', [graph.op('Equal', [inputIds, padId])])], { to: int(7) });
    const positionIds = graph.op('Add', [graph.op('Mul', [graph.op('CumSum', [notPadding, graph.constant('int64', [1], [])]), notPadding]), padId]);
    const sum = graph.op('Add', [graph.op('Add', [graph.op('Gather', [words, inputIds]), tokenType]), graph.op('Gather', [positions, positionIds])]);
    return layerNorm(graph, parameters, `${prefix}.embeddings.LayerNorm`, sum, hidden, layerNormEpsilon);
  });
  const additiveMask = graph.scope(`${prefix}.mask`, () => {
    const expanded = graph.op('Unsqueeze', [graph.op('Cast', [attentionMask], { to: int(1) }), graph.constant('int64', [1, 2])]);
    return graph.op('Mul', [graph.op('Sub', [graph.constant('float32', [1], []), expanded]), graph.constant('float32', [maskedScore], [])]);
  });
  let hiddenStates = embedded;
  for (let layer = 0; layer < dimensions.layers; layer += 1) {
    const layerPrefix = `${prefix}.encoder.layer.${layer}`;
    const input = hiddenStates;
    const project = (name: string) => linear(graph, parameters, `${layerPrefix}.attention.self.${name}`, input, hidden, hidden);
    const [query, key, value] = [project('query'), project('key'), project('value')];
    const context = graph.scope(`${layerPrefix}.attention.self`, () =>
      mergeHeads(
        graph,
        scaledDotProductAttention(graph, splitHeads(graph, query, heads, headDim), splitHeads(graph, key, heads, headDim, true), splitHeads(graph, value, heads, headDim), additiveMask, headDim),
        hidden,
      ),
    );
    const attended = linear(graph, parameters, `${layerPrefix}.attention.output.dense`, context, hidden, hidden);
    const attentionOutput = layerNorm(graph, parameters, `${layerPrefix}.attention.output.LayerNorm`, graph.op('Add', [attended, input]), hidden, layerNormEpsilon);
    const expanded = gelu(graph, linear(graph, parameters, `${layerPrefix}.intermediate.dense`, attentionOutput, hidden, intermediate));
    const feedForward = linear(graph, parameters, `${layerPrefix}.output.dense`, expanded, intermediate, hidden);
    hiddenStates = layerNorm(graph, parameters, `${layerPrefix}.output.LayerNorm`, graph.op('Add', [feedForward, attentionOutput]), hidden, layerNormEpsilon);
  }
  return graph.scope(`${prefix}.pooler`, () => {
    const first = graph.op('Gather', [hiddenStates, graph.constant('int64', [0], [])], { axis: int(1) });
    return graph.op('Tanh', [linear(graph, parameters, `${prefix}.pooler.dense`, first, hidden, hidden)]);
  });
}
