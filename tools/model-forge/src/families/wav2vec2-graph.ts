import { float, int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { gelu, layerNorm, linear, mergeHeads, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';

export interface Wav2Vec2GraphDimensions {
  /** Channels of each feature-encoder conv layer ([512] × 7). */
  readonly convDims: readonly number[];
  /** Kernel of each conv layer ([10, 3, 3, 3, 3, 2, 2]). */
  readonly convKernels: readonly number[];
  /** Stride of each conv layer ([5, 2, 2, 2, 2, 2, 2]: 320 samples per frame). */
  readonly convStrides: readonly number[];
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  /** Kernel of the convolutional position embedding (128). */
  readonly positionKernel: number;
  /** Groups of the convolutional position embedding (16). */
  readonly positionGroups: number;
  readonly vocabularySize: number;
  readonly layerNormEpsilon: number;
}

/** Frames the conv feature encoder makes from `samples` samples: floor((L − k) / s) + 1 per layer. */
export function wav2vec2FrameCount(samples: number, kernels: readonly number[], strides: readonly number[]): number {
  return kernels.reduce((length, kernel, index) => Math.floor((length - kernel) / strides[index]!) + 1, samples);
}

/** Self-attention over every frame (wav2vec2-base uses no attention mask). */
function attention(graph: GraphBuilder, query: Value, transposedKey: Value, value: Value, headDim: number): Value {
  const scores = graph.op('Mul', [graph.op('MatMul', [query, transposedKey]), graph.constant('float32', [1 / Math.sqrt(headDim)], [])]);
  return graph.op('MatMul', [graph.op('Softmax', [scores], { axis: int(-1) }), value]);
}

/**
 * Wav2Vec2ForCTC (wav2vec2-base layout: group-norm feature encoder, post-LayerNorm transformer):
 * `input_values` [batch_size, sequence_length] float32 → `logits` [batch_size, frames, vocabulary]
 * and, beyond the stock export, `last_hidden_state` [batch_size, frames, hidden] (the transformer's
 * output, which accel's wav2vec2 skill mean-pools into audio embeddings).
 *
 * Feature encoder: 7 bias-free Conv1d layers with the real kernel/stride schedule (320 samples per
 * frame, 400-sample receptive field), GroupNorm(channels, channels) — i.e. InstanceNormalization —
 * after the first, GELU after each. Then LayerNorm + Linear feature projection, a grouped
 * Conv1d position embedding (even kernel, last frame dropped, GELU) added to the input,
 * LayerNorm, the encoder layers, and the CTC `lm_head`.
 */
export function buildWav2Vec2Graph(seed: string, dimensions: Wav2Vec2GraphDimensions): GraphDefinition {
  const { hidden, heads, intermediate, layerNormEpsilon, convDims, convKernels, convStrides } = dimensions;
  if (hidden % heads !== 0) throw new Error(`hidden size ${hidden} is not divisible by ${heads} heads`);
  if (hidden % dimensions.positionGroups !== 0) throw new Error(`hidden size ${hidden} is not divisible by ${dimensions.positionGroups} position groups`);
  if (convDims.length !== convKernels.length || convKernels.length !== convStrides.length) throw new Error('conv dims, kernels and strides differ in length');
  const headDim = hidden / heads;
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputValues = graph.input('input_values', 'float32', ['batch_size', 'sequence_length']);

  const features = graph.scope('wav2vec2.feature_extractor', () => {
    let signal = graph.op('Unsqueeze', [inputValues, graph.constant('int64', [1])]);
    let channels = 1;
    convDims.forEach((outChannels, layer) => {
      const prefix = `wav2vec2.feature_extractor.conv_layers.${layer}`;
      const kernel = convKernels[layer]!;
      const weight = parameters.uniform(`${prefix}.conv.weight`, [outChannels, channels, kernel], channels * kernel);
      signal = graph.op('Conv', [signal, weight], { kernel_shape: ints([kernel]), strides: ints([convStrides[layer]!]) }, { name: `conv_${layer}` });
      if (layer === 0) {
        const scale = parameters.filled(`${prefix}.layer_norm.weight`, [outChannels], 1);
        const bias = parameters.filled(`${prefix}.layer_norm.bias`, [outChannels], 0);
        signal = graph.op('InstanceNormalization', [signal, scale, bias], { epsilon: float(layerNormEpsilon) }, { name: 'group_norm' });
      }
      signal = gelu(graph, signal);
      channels = outChannels;
    });
    return graph.op('Transpose', [signal], { perm: ints([0, 2, 1]) });
  });
  const lastConv = convDims.at(-1)!;
  const projected = graph.scope('wav2vec2.feature_projection', () => {
    const normalized = layerNorm(graph, parameters, 'wav2vec2.feature_projection.layer_norm', features, lastConv, layerNormEpsilon);
    return linear(graph, parameters, 'wav2vec2.feature_projection.projection', normalized, lastConv, hidden);
  });

  const positioned = graph.scope('wav2vec2.encoder.pos_conv_embed', () => {
    const kernel = dimensions.positionKernel;
    const perGroup = hidden / dimensions.positionGroups;
    const weight = parameters.uniform('wav2vec2.encoder.pos_conv_embed.conv.weight', [hidden, perGroup, kernel], perGroup * kernel);
    const bias = parameters.uniform('wav2vec2.encoder.pos_conv_embed.conv.bias', [hidden], perGroup * kernel);
    const channelsFirst = graph.op('Transpose', [projected], { perm: ints([0, 2, 1]) });
    const half = Math.floor(kernel / 2);
    let convolved = graph.op('Conv', [channelsFirst, weight, bias], { kernel_shape: ints([kernel]), pads: ints([half, half]), group: int(dimensions.positionGroups) });
    if (kernel % 2 === 0) {
      convolved = graph.op('Slice', [convolved, graph.constant('int64', [0]), graph.constant('int64', [-1]), graph.constant('int64', [2])]);
    }
    const embedding = graph.op('Transpose', [gelu(graph, convolved)], { perm: ints([0, 2, 1]) });
    return layerNorm(graph, parameters, 'wav2vec2.encoder.layer_norm', graph.op('Add', [projected, embedding]), hidden, layerNormEpsilon);
  });

  let hiddenStates = positioned;
  for (let layer = 0; layer < dimensions.layers; layer += 1) {
    const prefix = `wav2vec2.encoder.layers.${layer}`;
    const input = hiddenStates;
    const project = (name: string) => linear(graph, parameters, `${prefix}.attention.${name}`, input, hidden, hidden);
    const [query, key, value] = [project('q_proj'), project('k_proj'), project('v_proj')];
    const context = graph.scope(`${prefix}.attention`, () =>
      mergeHeads(graph, attention(graph, splitHeads(graph, query, heads, headDim), splitHeads(graph, key, heads, headDim, true), splitHeads(graph, value, heads, headDim), headDim), hidden),
    );
    const attended = linear(graph, parameters, `${prefix}.attention.out_proj`, context, hidden, hidden);
    const attentionOutput = layerNorm(graph, parameters, `${prefix}.layer_norm`, graph.op('Add', [input, attended]), hidden, layerNormEpsilon);
    const expanded = gelu(graph, linear(graph, parameters, `${prefix}.feed_forward.intermediate_dense`, attentionOutput, hidden, intermediate));
    const feedForward = linear(graph, parameters, `${prefix}.feed_forward.output_dense`, expanded, intermediate, hidden);
    hiddenStates = layerNorm(graph, parameters, `${prefix}.final_layer_norm`, graph.op('Add', [attentionOutput, feedForward]), hidden, layerNormEpsilon);
  }
  const logits = linear(graph, parameters, 'lm_head', hiddenStates, hidden, dimensions.vocabularySize);

  graph.output(logits, 'logits', 'float32', ['batch_size', 'frames', dimensions.vocabularySize]);
  graph.output(hiddenStates, 'last_hidden_state', 'float32', ['batch_size', 'frames', hidden]);
  return graph.build();
}
