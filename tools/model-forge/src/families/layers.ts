import { float, int, ints } from '../onnx/attributes.js';
import type { GraphBuilder, Value } from '../onnx/graph-builder.js';
import type { Parameters } from './parameters.js';

/** `input @ weight + bias`, weight stored [inFeatures, outFeatures] (transposed from PyTorch). */
export function linear(
  graph: GraphBuilder,
  parameters: Parameters,
  name: string,
  input: Value,
  inFeatures: number,
  outFeatures: number,
): Value {
  const weight = parameters.uniform(`${name}.weight`, [inFeatures, outFeatures], inFeatures);
  const bias = parameters.uniform(`${name}.bias`, [outFeatures], inFeatures);
  return graph.scope(name, () => graph.op('Add', [graph.op('MatMul', [input, weight]), bias]));
}

export function layerNorm(
  graph: GraphBuilder,
  parameters: Parameters,
  name: string,
  input: Value,
  features: number,
  epsilon: number,
): Value {
  const scale = parameters.filled(`${name}.weight`, [features], 1);
  const bias = parameters.filled(`${name}.bias`, [features], 0);
  return graph.scope(name, () =>
    graph.op('LayerNormalization', [input, scale, bias], { axis: int(-1), epsilon: float(epsilon) }),
  );
}

/** Exact GELU: x · ½ · (1 + erf(x / √2)). */
export function gelu(graph: GraphBuilder, input: Value): Value {
  return graph.scope('gelu', () => {
    const erf = graph.op('Erf', [graph.op('Div', [input, graph.constant('float32', [Math.SQRT2], [])])]);
    const onePlusErf = graph.op('Add', [erf, graph.constant('float32', [1], [])]);
    return graph.op('Mul', [graph.op('Mul', [input, onePlusErf]), graph.constant('float32', [0.5], [])]);
  });
}

/** [batch, sequence, heads·headDim] → [batch, heads, sequence, headDim] (or `transposed`: [batch, heads, headDim, sequence]). */
export function splitHeads(graph: GraphBuilder, input: Value, heads: number, headDim: number, transposed = false): Value {
  const reshaped = graph.op('Reshape', [input, graph.constant('int64', [0, 0, heads, headDim])]);
  return graph.op('Transpose', [reshaped], { perm: ints(transposed ? [0, 2, 3, 1] : [0, 2, 1, 3]) });
}

/** [batch, heads, sequence, headDim] → [batch, sequence, heads·headDim]. */
export function mergeHeads(graph: GraphBuilder, input: Value, hidden: number): Value {
  const transposed = graph.op('Transpose', [input], { perm: ints([0, 2, 1, 3]) });
  return graph.op('Reshape', [transposed, graph.constant('int64', [0, 0, hidden])]);
}

/** softmax(query · keyᵀ / √headDim + additiveMask) · value, per head. */
export function scaledDotProductAttention(
  graph: GraphBuilder,
  query: Value,
  transposedKey: Value,
  value: Value,
  additiveMask: Value,
  headDim: number,
): Value {
  const scores = graph.op('MatMul', [query, transposedKey]);
  const scaled = graph.op('Mul', [scores, graph.constant('float32', [1 / Math.sqrt(headDim)], [])]);
  const probabilities = graph.op('Softmax', [graph.op('Add', [scaled, additiveMask])], { axis: int(-1) });
  return graph.op('MatMul', [probabilities, value]);
}

/** Most negative float32: added to a masked score, its softmax weight becomes exactly 0. */
export const maskedScore = -3.4028234663852886e38;

/** GPT-2's `gelu_new`: x · ½ · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). */
export function geluTanh(graph: GraphBuilder, input: Value): Value {
  return graph.scope('gelu_new', () => {
    const cubed = graph.op('Mul', [graph.op('Mul', [input, input]), input]);
    const inner = graph.op('Add', [input, graph.op('Mul', [cubed, graph.constant('float32', [0.044715], [])])]);
    const tanh = graph.op('Tanh', [graph.op('Mul', [inner, graph.constant('float32', [Math.sqrt(2 / Math.PI)], [])])]);
    const onePlusTanh = graph.op('Add', [tanh, graph.constant('float32', [1], [])]);
    return graph.op('Mul', [graph.op('Mul', [input, onePlusTanh]), graph.constant('float32', [0.5], [])]);
  });
}
