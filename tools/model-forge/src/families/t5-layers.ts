import { int, ints } from '../onnx/attributes.js';
import type { GraphBuilder, Value } from '../onnx/graph-builder.js';
import { geluTanh, maskedScore, mergeHeads, splitHeads } from './layers.js';

/** T5's LayerNorm: x / √(mean(x²) + ε) · weight. No mean subtraction, no bias (an RMS norm). */
export function t5LayerNorm(graph: GraphBuilder, name: string, input: Value, weight: Value, epsilon: number): Value {
  return graph.scope(name, () => {
    const variance = graph.op('ReduceMean', [graph.op('Mul', [input, input])], { axes: ints([-1]), keepdims: int(1) });
    const root = graph.op('Sqrt', [graph.op('Add', [variance, graph.constant('float32', [epsilon], [])])]);
    return graph.op('Mul', [graph.op('Div', [input, root]), weight]);
  });
}

/** How T5 buckets relative positions (`relative_attention_num_buckets`, `relative_attention_max_distance`). */
export interface RelativePositionOptions {
  /** The encoder looks both ways (half of the buckets for each direction); the decoder only back. */
  readonly bidirectional: boolean;
  readonly buckets: number;
  readonly maxDistance: number;
}

/**
 * T5's `_relative_position_bucket` for every (query, key) pair: int64 [queries, keys] from int64
 * position vectors. Small distances get a bucket each; larger ones share logarithmically wider
 * buckets up to `maxDistance`.
 */
export function relativePositionBuckets(graph: GraphBuilder, queryPositions: Value, keyPositions: Value, options: RelativePositionOptions): Value {
  return graph.scope('relative_position_bucket', () => {
    const scalar = (value: number) => graph.constant('int64', [value], []);
    const relative = graph.op('Sub', [
      graph.op('Unsqueeze', [keyPositions, graph.constant('int64', [0])]),
      graph.op('Unsqueeze', [queryPositions, graph.constant('int64', [1])]),
    ]);
    let buckets = options.buckets;
    let offset: Value | undefined;
    let distance: Value;
    if (options.bidirectional) {
      buckets = Math.floor(buckets / 2);
      const later = graph.op('Cast', [graph.op('Greater', [relative, scalar(0)])], { to: int(7) });
      offset = graph.op('Mul', [later, scalar(buckets)]);
      distance = graph.op('Abs', [relative]);
    } else {
      distance = graph.op('Neg', [graph.op('Min', [relative, scalar(0)])]);
    }
    const maxExact = Math.floor(buckets / 2);
    const small = graph.op('Less', [distance, scalar(maxExact)]);
    const ratio = graph.op('Div', [
      graph.op('Cast', [graph.op('Max', [distance, scalar(1)])], { to: int(1) }),
      graph.constant('float32', [maxExact], []),
    ]);
    const scaled = graph.op('Mul', [
      graph.op('Div', [graph.op('Log', [ratio]), graph.constant('float32', [Math.log(options.maxDistance / maxExact)], [])]),
      graph.constant('float32', [buckets - maxExact], []),
    ]);
    const large = graph.op('Min', [graph.op('Add', [graph.op('Cast', [scaled], { to: int(7) }), scalar(maxExact)]), scalar(buckets - 1)]);
    const bucket = graph.op('Where', [small, distance, large]);
    return offset === undefined ? bucket : graph.op('Add', [offset, bucket]);
  });
}

/** The learned relative position bias [1, heads, queries, keys] from a [buckets, heads] table. */
export function relativePositionBias(
  graph: GraphBuilder,
  table: Value,
  queryPositions: Value,
  keyPositions: Value,
  options: RelativePositionOptions,
): Value {
  const buckets = relativePositionBuckets(graph, queryPositions, keyPositions, options);
  return graph.scope('relative_attention_bias', () => {
    const perPair = graph.op('Gather', [table, buckets]);
    const perHead = graph.op('Transpose', [perPair], { perm: ints([2, 0, 1]) });
    return graph.op('Unsqueeze', [perHead, graph.constant('int64', [0])]);
  });
}

/** Additive mask [batch, 1, 1, keys] from a 0/1 int64 mask [batch, keys]: 0 where attended, the lowest float where not. */
export function paddingMask(graph: GraphBuilder, mask: Value): Value {
  return graph.scope('padding_mask', () => {
    const attended = graph.op('Unsqueeze', [graph.op('Cast', [mask], { to: int(9) }), graph.constant('int64', [1, 2])]);
    return graph.op('Where', [attended, graph.constant('float32', [0], []), graph.constant('float32', [maskedScore], [])]);
  });
}

/** Additive causal mask [queries, keys]: a query sees keys at its position or before. */
export function causalMask(graph: GraphBuilder, queryPositions: Value, keyPositions: Value): Value {
  return graph.scope('causal_mask', () => {
    const visible = graph.op('LessOrEqual', [
      graph.op('Unsqueeze', [keyPositions, graph.constant('int64', [0])]),
      graph.op('Unsqueeze', [queryPositions, graph.constant('int64', [1])]),
    ]);
    return graph.op('Where', [visible, graph.constant('float32', [0], []), graph.constant('float32', [maskedScore], [])]);
  });
}

/** Query, key, value and output projections of one T5 attention block (no biases). */
export interface T5AttentionWeights {
  readonly query: Value;
  readonly key: Value;
  readonly value: Value;
  readonly output: Value;
}

/** Head layout of T5 attention: `heads` × `headDim` (d_kv), which need not equal d_model. */
export interface HeadShape {
  readonly heads: number;
  readonly headDim: number;
}

/** Projects `input` and splits it into heads: [batch, heads, sequence, headDim]. */
export function projectHeads(graph: GraphBuilder, input: Value, weight: Value, shape: HeadShape): Value {
  return splitHeads(graph, graph.op('MatMul', [input, weight]), shape.heads, shape.headDim);
}

/**
 * T5 attention over already projected heads: softmax(q·kᵀ + bias)·v, merged and projected.
 * T5 does not scale the scores by 1/√d_kv (its initialisation accounts for it).
 */
export function t5Attention(graph: GraphBuilder, query: Value, key: Value, value: Value, bias: Value, outputWeight: Value, shape: HeadShape): Value {
  const scores = graph.op('MatMul', [query, graph.op('Transpose', [key], { perm: ints([0, 1, 3, 2]) })]);
  const probabilities = graph.op('Softmax', [graph.op('Add', [scores, bias])], { axis: int(-1) });
  const merged = mergeHeads(graph, graph.op('MatMul', [probabilities, value]), shape.heads * shape.headDim);
  return graph.op('MatMul', [merged, outputWeight]);
}

/** `DenseReluDense` (`wi`, `wo`) or `DenseGatedActDense` (`wi_0`, `wi_1`, `wo`, gelu_new gate). */
export type T5FeedForwardWeights =
  | { readonly kind: 'relu'; readonly input: Value; readonly output: Value }
  | { readonly kind: 'gated-gelu'; readonly gate: Value; readonly input: Value; readonly output: Value };

export function t5FeedForward(graph: GraphBuilder, input: Value, weights: T5FeedForwardWeights): Value {
  if (weights.kind === 'relu') {
    return graph.op('MatMul', [graph.op('Relu', [graph.op('MatMul', [input, weights.input])]), weights.output]);
  }
  const gate = geluTanh(graph, graph.op('MatMul', [input, weights.gate]));
  return graph.op('MatMul', [graph.op('Mul', [gate, graph.op('MatMul', [input, weights.input])]), weights.output]);
}
