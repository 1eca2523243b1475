import { float, graph as graphAttribute, int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { transposedFloat32 } from '../onnx/tensor-data.js';
import { gelu, maskedScore, mergeHeads, splitHeads } from './layers.js';
import { Parameters } from './parameters.js';

export interface WhisperGraphDimensions {
  readonly modelSize: number;
  readonly heads: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly feedForwardSize: number;
  readonly melBins: number;
  /** Encoder positions after the stride-2 convolution: 1500 for 30 s of audio. */
  readonly maxSourcePositions: number;
  readonly maxTargetPositions: number;
  readonly vocabularySize: number;
  readonly layerNormEpsilon: number;
}

interface Projection {
  readonly weight: Value;
  readonly bias?: Value;
}

interface Norm {
  readonly scale: Value;
  readonly bias: Value;
}

interface AttentionWeights {
  readonly query: Projection;
  readonly key: Projection;
  readonly value: Projection;
  readonly output: Projection;
}

interface DecoderLayerWeights {
  readonly selfAttentionNorm: Norm;
  readonly selfAttention: AttentionWeights;
  readonly crossAttentionNorm: Norm;
  readonly crossAttention: AttentionWeights;
  readonly feedForwardNorm: Norm;
  readonly feedForwardIn: Projection;
  readonly feedForwardOut: Projection;
}

function headDimension({ modelSize, heads }: WhisperGraphDimensions): number {
  if (modelSize % heads !== 0) throw new Error(`d_model ${modelSize} is not divisible by ${heads} heads`);
  return modelSize / heads;
}

function projection(parameters: Parameters, name: string, inFeatures: number, outFeatures: number, bias = true): Projection {
  const weight = parameters.uniform(`${name}.weight`, [inFeatures, outFeatures], inFeatures);
  return bias ? { weight, bias: parameters.uniform(`${name}.bias`, [outFeatures], inFeatures) } : { weight };
}

function norm(parameters: Parameters, name: string, features: number): Norm {
  return { scale: parameters.filled(`${name}.weight`, [features], 1), bias: parameters.filled(`${name}.bias`, [features], 0) };
}

function attentionWeights(parameters: Parameters, name: string, size: number): AttentionWeights {
  return {
    query: projection(parameters, `${name}.q_proj`, size, size),
    key: projection(parameters, `${name}.k_proj`, size, size, false),
    value: projection(parameters, `${name}.v_proj`, size, size),
    output: projection(parameters, `${name}.out_proj`, size, size),
  };
}

function project(graph: GraphBuilder, input: Value, { weight, bias }: Projection): Value {
  const product = graph.op('MatMul', [input, weight]);
  return bias === undefined ? product : graph.op('Add', [product, bias]);
}

function normalize(graph: GraphBuilder, input: Value, { scale, bias }: Norm, epsilon: number): Value {
  return graph.op('LayerNormalization', [input, scale, bias], { axis: int(-1), epsilon: float(epsilon) });
}

/** softmax(query · keyᵀ / √headDim [+ mask]) · value, merged back to [batch, sequence, size]. */
function attend(graph: GraphBuilder, query: Value, key: Value, value: Value, mask: Value | undefined, dimensions: WhisperGraphDimensions): Value {
  const headDim = headDimension(dimensions);
  const transposedKey = graph.op('Transpose', [key], { perm: ints([0, 1, 3, 2]) });
  const scores = graph.op('Mul', [graph.op('MatMul', [query, transposedKey]), graph.constant('float32', [1 / Math.sqrt(headDim)], [])]);
  const probabilities = graph.op('Softmax', [mask === undefined ? scores : graph.op('Add', [scores, mask])], { axis: int(-1) });
  return mergeHeads(graph, graph.op('MatMul', [probabilities, value]), dimensions.modelSize);
}

function feedForward(graph: GraphBuilder, input: Value, inner: Projection, outer: Projection): Value {
  return project(graph, gelu(graph, project(graph, input, inner)), outer);
}

/** Whisper's fixed sinusoidal encoder positions [length, channels], computed in the graph (constant-folded at load). */
function sinusoidalPositions(graph: GraphBuilder, length: number, channels: number): Value {
  return graph.scope('model.encoder.embed_positions', () => {
    const half = channels / 2;
    const increment = Math.log(10000) / (half - 1);
    const inverseTimescales = graph.constant(
      'float32',
      Array.from({ length: half }, (_, index) => Math.exp(-increment * index)),
      [1, half],
    );
    const positions = graph.op('Unsqueeze', [
      graph.op('Cast', [graph.op('Range', [graph.constant('int64', [0], []), graph.constant('int64', [length], []), graph.constant('int64', [1], [])])], {
        to: int(1),
      }),
      graph.constant('int64', [1]),
    ]);
    const scaled = graph.op('Mul', [positions, inverseTimescales]);
    return graph.op('Concat', [graph.op('Sin', [scaled]), graph.op('Cos', [scaled])], { axis: int(1) });
  });
}

/**
 * Whisper's encoder as optimum exports it (`onnx/encoder_model.onnx`): `input_features`
 * [batch_size, mel bins, 2·max_source_positions] → Conv k3 + GELU, Conv k3 stride 2 + GELU,
 * sinusoidal positions, pre-norm transformer layers, final LayerNorm → `last_hidden_state`
 * [batch_size, max_source_positions, d_model].
 */
export function buildWhisperEncoderGraph(seed: string, dimensions: WhisperGraphDimensions): GraphDefinition {
  const { modelSize, heads, melBins, maxSourcePositions, layerNormEpsilon } = dimensions;
  const headDim = headDimension(dimensions);
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const features = graph.input('input_features', 'float32', ['batch_size', melBins, 2 * maxSourcePositions]);

  const convolution = (name: string, input: Value, inChannels: number, stride: number): Value =>
    graph.scope(name, () => {
      const weight = parameters.uniform(`${name}.weight`, [modelSize, inChannels, 3], inChannels * 3);
      const bias = parameters.uniform(`${name}.bias`, [modelSize], inChannels * 3);
      return gelu(
        graph,
        graph.op('Conv', [input, weight, bias], { kernel_shape: ints([3]), pads: ints([1, 1]), strides: ints([stride]), dilations: ints([1]), group: int(1) }),
      );
    });
  const convolved = convolution('model.encoder.conv2', convolution('model.encoder.conv1', features, melBins, 1), modelSize, 2);
  let hiddenStates = graph.op('Add', [graph.op('Transpose', [convolved], { perm: ints([0, 2, 1]) }), sinusoidalPositions(graph, maxSourcePositions, modelSize)]);

  for (let layer = 0; layer < dimensions.encoderLayers; layer += 1) {
    const prefix = `model.encoder.layers.${layer}`;
    const attentionNorm = norm(parameters, `${prefix}.self_attn_layer_norm`, modelSize);
    const attention = attentionWeights(parameters, `${prefix}.self_attn`, modelSize);
    const feedForwardNorm = norm(parameters, `${prefix}.final_layer_norm`, modelSize);
    const inner = projection(parameters, `${prefix}.fc1`, modelSize, dimensions.feedForwardSize);
    const outer = projection(parameters, `${prefix}.fc2`, dimensions.feedForwardSize, modelSize);
    hiddenStates = graph.scope(prefix, () => {
      const normed = normalize(graph, hiddenStates, attentionNorm, layerNormEpsilon);
      const [query, key, value] = [attention.query, attention.key, attention.value].map((weights) => splitHeads(graph, project(graph, normed, weights), heads, headDim));
      const attended = project(graph, attend(graph, query!, key!, value!, undefined, dimensions), attention.output);
      const afterAttention = graph.op('Add', [hiddenStates, attended]);
      return graph.op('Add', [afterAttention, feedForward(graph, normalize(graph, afterAttention, feedForwardNorm, layerNormEpsilon), inner, outer)]);
    });
  }
  const finalNorm = norm(parameters, 'model.encoder.layer_norm', modelSize);
  graph.output(normalize(graph, hiddenStates, finalNorm, layerNormEpsilon), 'last_hidden_state', 'float32', ['batch_size', maxSourcePositions, modelSize]);
  return graph.build();
}

interface DecoderOuterValues {
  readonly embedded: Value;
  readonly encoderHiddenStates: Value;
  readonly causalMask: Value;
  readonly languageModelHead: Value;
  readonly pastDecoder: ReadonlyArray<{ key: Value; value: Value }>;
  readonly pastEncoder: ReadonlyArray<{ key: Value; value: Value }>;
  readonly layers: readonly DecoderLayerWeights[];
  readonly finalNorm: Norm;
}

export interface WhisperDecoderGraphOptions {
  /**
   * Store the tied output projection as its own transposed initializer instead of transposing the
   * token embedding in the graph. Use it before `quantizeWeights`, so both tables become int8
   * (a Transpose would keep a float32 copy of the table alive next to the int8 one).
   */
  readonly storeTransposedHead?: boolean;
}

const decoderTotalLength = 'past_decoder_sequence_length + decoder_sequence_length';

/**
 * One copy of the decoder body, as an `If` branch. The cached branch reads the cross-attention
 * keys and values from `past_key_values.*.encoder.*` (and returns empty placeholders for their
 * presents); the other computes them from `encoder_hidden_states`. Both return logits and every present.
 */
function decoderBranch(outer: GraphBuilder, name: string, values: DecoderOuterValues, dimensions: WhisperGraphDimensions, cached: boolean): GraphDefinition {
  const { heads, layerNormEpsilon } = dimensions;
  const headDim = headDimension(dimensions);
  const branch = outer.subgraph(name);
  const presents: Array<{ decoderKey: Value; decoderValue: Value; encoderKey: Value; encoderValue: Value }> = [];
  let hiddenStates = values.embedded;
  values.layers.forEach((weights, layer) => {
    const prefix = `model.decoder.layers.${layer}`;
    hiddenStates = branch.scope(`${name}/${prefix}`, () => {
      const normed = normalize(branch, hiddenStates, weights.selfAttentionNorm, layerNormEpsilon);
      const split = (input: Value, projectionWeights: Projection) => splitHeads(branch, project(branch, input, projectionWeights), heads, headDim);
      const query = split(normed, weights.selfAttention.query);
      const decoderKey = branch.op('Concat', [values.pastDecoder[layer]!.key, split(normed, weights.selfAttention.key)], { axis: int(2) });
      const decoderValue = branch.op('Concat', [values.pastDecoder[layer]!.value, split(normed, weights.selfAttention.value)], { axis: int(2) });
      const selfAttended = project(branch, attend(branch, query, decoderKey, decoderValue, values.causalMask, dimensions), weights.selfAttention.output);
      const afterSelf = branch.op('Add', [hiddenStates, selfAttended]);

      const crossNormed = normalize(branch, afterSelf, weights.crossAttentionNorm, layerNormEpsilon);
      const crossQuery = split(crossNormed, weights.crossAttention.query);
      const encoderKey = cached ? values.pastEncoder[layer]!.key : split(values.encoderHiddenStates, weights.crossAttention.key);
      const encoderValue = cached ? values.pastEncoder[layer]!.value : split(values.encoderHiddenStates, weights.crossAttention.value);
      const crossAttended = project(branch, attend(branch, crossQuery, encoderKey, encoderValue, undefined, dimensions), weights.crossAttention.output);
      const afterCross = branch.op('Add', [afterSelf, crossAttended]);

      presents.push({ decoderKey, decoderValue, encoderKey, encoderValue });
      const feedForwardInput = normalize(branch, afterCross, weights.feedForwardNorm, layerNormEpsilon);
      return branch.op('Add', [afterCross, feedForward(branch, feedForwardInput, weights.feedForwardIn, weights.feedForwardOut)]);
    });
  });
  const logits = branch.scope(`${name}/proj_out`, () =>
    branch.op('MatMul', [normalize(branch, hiddenStates, values.finalNorm, layerNormEpsilon), values.languageModelHead]),
  );
  branch.output(logits, `${name}/logits`, 'float32', ['batch_size', 'decoder_sequence_length', dimensions.vocabularySize]);
  presents.forEach((present, layer) => {
    const output = (value: Value, kind: string, length: string) =>
      branch.output(value, `${name}/present.${layer}.${kind}`, 'float32', ['batch_size', heads, length, headDim]);
    output(present.decoderKey, 'decoder.key', decoderTotalLength);
    output(present.decoderValue, 'decoder.value', decoderTotalLength);
    // Like optimum's merged decoders, the cached branch returns empty [0, heads, 1, head_dim]
    // placeholders for the cross-attention presents (the caller keeps the past ones) instead of
    // copying megabytes of unchanged keys and values out of the session at every step.
    const placeholder = () => branch.constant('float32', [], [0, heads, 1, headDim]);
    output(cached ? placeholder() : present.encoderKey, 'encoder.key', 'encoder_sequence_length_out');
    output(cached ? placeholder() : present.encoderValue, 'encoder.value', 'encoder_sequence_length_out');
  });
  return branch.build();
}

/** Additive causal mask [sequence, past + sequence] for new tokens after `past` cached ones. */
function decoderCausalMask(graph: GraphBuilder, inputIds: Value, pastKey: Value): Value {
  return graph.scope('causal_mask', () => {
    const dimension = (value: Value, axis: number): Value =>
      graph.op('Gather', [graph.op('Shape', [value]), graph.constant('int64', [axis], [])], { axis: int(0) });
    const one = graph.constant('int64', [1], []);
    const pastLength = dimension(pastKey, 2);
    const totalLength = graph.op('Add', [pastLength, dimension(inputIds, 1)]);
    const keyPositions = graph.op('Unsqueeze', [graph.op('Range', [graph.constant('int64', [0], []), totalLength, one]), graph.constant('int64', [0])]);
    const queryPositions = graph.op('Unsqueeze', [graph.op('Range', [pastLength, totalLength, one]), graph.constant('int64', [1])]);
    const allowed = graph.op('LessOrEqual', [keyPositions, queryPositions]);
    return graph.op('Where', [allowed, graph.constant('float32', [0], []), graph.constant('float32', [maskedScore], [])]);
  });
}

/** Positions past … past + sequence − 1 of the new tokens. */
function decoderPositions(graph: GraphBuilder, inputIds: Value, pastKey: Value): Value {
  return graph.scope('positions', () => {
    const dimension = (value: Value, axis: number): Value =>
      graph.op('Gather', [graph.op('Shape', [value]), graph.constant('int64', [axis], [])], { axis: int(0) });
    const pastLength = dimension(pastKey, 2);
    return graph.op('Range', [pastLength, graph.op('Add', [pastLength, dimension(inputIds, 1)]), graph.constant('int64', [1], [])]);
  });
}

/**
 * Whisper's merged decoder as optimum exports it (`onnx/decoder_model_merged.onnx`): `input_ids`,
 * `encoder_hidden_states`, `past_key_values.{i}.{decoder,encoder}.{key,value}` and
 * `use_cache_branch` → `logits`, `present.{i}.{decoder,encoder}.{key,value}`. An `If` on
 * `use_cache_branch` selects one of two copies of the decoder body that share the outer weights:
 * the cached copy reads cross-attention keys and values from the past instead of recomputing them,
 * and returns empty `present.*.encoder.*` placeholders ([0, heads, 1, head_dim]), as optimum does.
 * Heads and head size are fixed integers; the output projection is tied to the token embedding.
 */
export function buildWhisperDecoderGraph(seed: string, dimensions: WhisperGraphDimensions, options: WhisperDecoderGraphOptions = {}): GraphDefinition {
  const { modelSize, heads, vocabularySize } = dimensions;
  const headDim = headDimension(dimensions);
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'decoder_sequence_length']);
  const encoderHiddenStates = graph.input('encoder_hidden_states', 'float32', ['batch_size', 'encoder_sequence_length', modelSize]);
  const pastDecoder: Array<{ key: Value; value: Value }> = [];
  const pastEncoder: Array<{ key: Value; value: Value }> = [];
  for (let layer = 0; layer < dimensions.decoderLayers; layer += 1) {
    const past = (kind: string, length: string) =>
      graph.input(`past_key_values.${layer}.${kind}`, 'float32', ['batch_size', heads, length, headDim]);
    pastDecoder.push({ key: past('decoder.key', 'past_decoder_sequence_length'), value: past('decoder.value', 'past_decoder_sequence_length') });
    pastEncoder.push({ key: past('encoder.key', 'encoder_sequence_length_out'), value: past('encoder.value', 'encoder_sequence_length_out') });
  }
  const useCacheBranch = graph.input('use_cache_branch', 'bool', [1]);

  const tokenEmbeddingData = parameters.uniformData('model.decoder.embed_tokens.weight', [vocabularySize, modelSize], 1);
  const tokenEmbedding = graph.initializer('model.decoder.embed_tokens.weight', 'float32', [vocabularySize, modelSize], tokenEmbeddingData);
  const positionEmbedding = parameters.uniform('model.decoder.embed_positions.weight', [dimensions.maxTargetPositions, modelSize], 1);
  const embedded = graph.scope('model.decoder.embeddings', () =>
    graph.op('Add', [graph.op('Gather', [tokenEmbedding, inputIds]), graph.op('Gather', [positionEmbedding, decoderPositions(graph, inputIds, pastDecoder[0]!.key)])]),
  );
  const layers = Array.from({ length: dimensions.decoderLayers }, (_, layer): DecoderLayerWeights => {
    const prefix = `model.decoder.layers.${layer}`;
    return {
      selfAttentionNorm: norm(parameters, `${prefix}.self_attn_layer_norm`, modelSize),
      selfAttention: attentionWeights(parameters, `${prefix}.self_attn`, modelSize),
      crossAttentionNorm: norm(parameters, `${prefix}.encoder_attn_layer_norm`, modelSize),
      crossAttention: attentionWeights(parameters, `${prefix}.encoder_attn`, modelSize),
      feedForwardNorm: norm(parameters, `${prefix}.final_layer_norm`, modelSize),
      feedForwardIn: projection(parameters, `${prefix}.fc1`, modelSize, dimensions.feedForwardSize),
      feedForwardOut: projection(parameters, `${prefix}.fc2`, dimensions.feedForwardSize, modelSize),
    };
  });
  const values: DecoderOuterValues = {
    embedded,
    encoderHiddenStates,
    causalMask: decoderCausalMask(graph, inputIds, pastDecoder[0]!.key),
    languageModelHead: options.storeTransposedHead
      ? graph.initializer('proj_out.weight', 'float32', [modelSize, vocabularySize], transposedFloat32(tokenEmbeddingData, vocabularySize, modelSize))
      : graph.scope('proj_out', () => graph.op('Transpose', [tokenEmbedding], { perm: ints([1, 0]) })),
    pastDecoder,
    pastEncoder,
    layers,
    finalNorm: norm(parameters, 'model.decoder.layer_norm', modelSize),
  };
  const outputCount = 1 + 4 * dimensions.decoderLayers;
  const outputs = graph.opWithOutputs('If', [useCacheBranch], outputCount, {
    then_branch: graphAttribute(decoderBranch(graph, 'with_past', values, dimensions, true)),
    else_branch: graphAttribute(decoderBranch(graph, 'without_past', values, dimensions, false)),
  });
  graph.output(outputs[0]!, 'logits', 'float32', ['batch_size', 'decoder_sequence_length', vocabularySize]);
  for (let layer = 0; layer < dimensions.decoderLayers; layer += 1) {
    const kinds: Array<[string, string]> = [
      ['decoder.key', decoderTotalLength],
      ['decoder.value', decoderTotalLength],
      ['encoder.key', 'encoder_sequence_length_out'],
      ['encoder.value', 'encoder_sequence_length_out'],
    ];
    kinds.forEach(([kind, length], index) =>
      graph.output(outputs[1 + 4 * layer + index]!, `present.${layer}.${kind}`, 'float32', ['batch_size', heads, length, headDim]),
    );
  }
  return graph.build();
}
