import { graph as graphAttribute, int } from '../onnx/attributes.js';
import type { Dim } from '../onnx/data-types.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { transposedFloat32 } from '../onnx/tensor-data.js';
import { Parameters } from './parameters.js';
import {
  causalMask,
  type HeadShape,
  paddingMask,
  projectHeads,
  relativePositionBias,
  type RelativePositionOptions,
  t5Attention,
  type T5AttentionWeights,
  t5FeedForward,
  type T5FeedForwardWeights,
  t5LayerNorm,
} from './t5-layers.js';

export interface T5GraphDimensions {
  /** Encoder blocks (`num_layers`). */
  readonly layers: number;
  /** Decoder blocks (`num_decoder_layers`). */
  readonly decoderLayers: number;
  /** `d_model`. */
  readonly hidden: number;
  /** `num_heads`. */
  readonly heads: number;
  /** `d_kv`: size of one head; heads × d_kv need not equal d_model. */
  readonly headDim: number;
  /** `d_ff`. */
  readonly feedForward: number;
  /** `relu` (DenseReluDense, original T5) or `gated-gelu` (T5 v1.1, flan-t5). */
  readonly feedForwardProjection: 'relu' | 'gated-gelu';
  /** Tied: the decoder's output is scaled by d_model^-0.5 and multiplied by the shared embedding. */
  readonly tieWordEmbeddings: boolean;
  readonly vocabularySize: number;
  readonly relativeAttentionBuckets: number;
  readonly relativeAttentionMaxDistance: number;
  readonly layerNormEpsilon: number;
}

const batch = 'batch_size';
const encoderLength = 'encoder_sequence_length';
const decoderLength = 'decoder_sequence_length';
const pastDecoderLength = 'past_decoder_sequence_length';
const presentDecoderLength = 'past_decoder_sequence_length + decoder_sequence_length';
const cachedEncoderLength = 'encoder_sequence_length_out';

interface StackWeights {
  readonly relativeBias: Value;
  readonly blocks: BlockWeights[];
  readonly finalNorm: Value;
}

interface BlockWeights {
  readonly selfAttentionNorm: Value;
  readonly selfAttention: T5AttentionWeights;
  readonly crossAttentionNorm?: Value;
  readonly crossAttention?: T5AttentionWeights;
  readonly feedForwardNorm: Value;
  readonly feedForward: T5FeedForwardWeights;
}

/**
 * A weight drawn uniformly with the standard deviation T5's own initialisation uses
 * (`T5PreTrainedModel._init_weights`): the bound is √3 · std. With it every sublayer adds about as
 * much to the residual stream as the embedding, so the output depends on the whole input (with a
 * smaller init a random decoder just repeats the token it was fed).
 */
function weight(parameters: Parameters, name: string, dims: readonly number[], standardDeviation: number): Value {
  return parameters.uniform(name, dims, 1 / (3 * standardDeviation ** 2));
}

function attentionWeights(parameters: Parameters, prefix: string, dimensions: T5GraphDimensions): T5AttentionWeights {
  const { hidden, headDim } = dimensions;
  const inner = dimensions.heads * headDim;
  return {
    query: weight(parameters, `${prefix}.q.weight`, [hidden, inner], (hidden * headDim) ** -0.5),
    key: weight(parameters, `${prefix}.k.weight`, [hidden, inner], hidden ** -0.5),
    value: weight(parameters, `${prefix}.v.weight`, [hidden, inner], hidden ** -0.5),
    output: weight(parameters, `${prefix}.o.weight`, [inner, hidden], inner ** -0.5),
  };
}

function feedForwardWeights(parameters: Parameters, prefix: string, dimensions: T5GraphDimensions): T5FeedForwardWeights {
  const { hidden, feedForward } = dimensions;
  const input = (name: string) => weight(parameters, `${prefix}.DenseReluDense.${name}.weight`, [hidden, feedForward], hidden ** -0.5);
  const output = weight(parameters, `${prefix}.DenseReluDense.wo.weight`, [feedForward, hidden], feedForward ** -0.5);
  if (dimensions.feedForwardProjection === 'relu') return { kind: 'relu', input: input('wi'), output };
  return { kind: 'gated-gelu', gate: input('wi_0'), input: input('wi_1'), output };
}

/** Weights of the `encoder.*` or `decoder.*` stack, named as in Hugging Face checkpoints. */
function stackWeights(parameters: Parameters, stack: 'encoder' | 'decoder', dimensions: T5GraphDimensions): StackWeights {
  const count = stack === 'encoder' ? dimensions.layers : dimensions.decoderLayers;
  const norm = (name: string) => parameters.filled(name, [dimensions.hidden], 1);
  const feedForwardLayer = stack === 'encoder' ? 1 : 2;
  const blocks = Array.from({ length: count }, (_, index): BlockWeights => {
    const prefix = `${stack}.block.${index}.layer`;
    return {
      selfAttentionNorm: norm(`${prefix}.0.layer_norm.weight`),
      selfAttention: attentionWeights(parameters, `${prefix}.0.SelfAttention`, dimensions),
      ...(stack === 'decoder'
        ? {
            crossAttentionNorm: norm(`${prefix}.1.layer_norm.weight`),
            crossAttention: attentionWeights(parameters, `${prefix}.1.EncDecAttention`, dimensions),
          }
        : {}),
      feedForwardNorm: norm(`${prefix}.${feedForwardLayer}.layer_norm.weight`),
      feedForward: feedForwardWeights(parameters, `${prefix}.${feedForwardLayer}`, dimensions),
    };
  });
  return {
    relativeBias: weight(
      parameters,
      `${stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`,
      [dimensions.relativeAttentionBuckets, dimensions.heads],
      dimensions.hidden ** -0.5,
    ),
    blocks,
    finalNorm: norm(`${stack}.final_layer_norm.weight`),
  };
}

function relativeOptions(dimensions: T5GraphDimensions, bidirectional: boolean): RelativePositionOptions {
  return { bidirectional, buckets: dimensions.relativeAttentionBuckets, maxDistance: dimensions.relativeAttentionMaxDistance };
}

/** The length of axis `axis` of `value`, as an int64 scalar. */
function lengthOf(graph: GraphBuilder, value: Value, axis: number): Value {
  return graph.op('Gather', [graph.op('Shape', [value]), graph.constant('int64', [axis], [])], { axis: int(0) });
}

function positions(graph: GraphBuilder, from: Value, to: Value): Value {
  return graph.op('Range', [from, to, graph.constant('int64', [1], [])]);
}

/**
 * T5's encoder, laid out like optimum's `encoder_model.onnx`: `input_ids`, `attention_mask`
 * [batch_size, encoder_sequence_length] → `last_hidden_state` [batch_size, encoder_sequence_length, d_model].
 * Pre-norm blocks with RMS LayerNorm, bidirectional relative position bias (computed by the first
 * block, shared by all), no absolute positions.
 */
export function buildT5EncoderGraph(seed: string, dimensions: T5GraphDimensions): GraphDefinition {
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const shape: HeadShape = { heads: dimensions.heads, headDim: dimensions.headDim };
  const epsilon = dimensions.layerNormEpsilon;
  const inputIds = graph.input('input_ids', 'int64', [batch, encoderLength]);
  const attentionMask = graph.input('attention_mask', 'int64', [batch, encoderLength]);
  const shared = weight(parameters, 'shared.weight', [dimensions.vocabularySize, dimensions.hidden], 1);
  const weights = stackWeights(parameters, 'encoder', dimensions);

  let hidden = graph.scope('encoder/embed_tokens', () => graph.op('Gather', [shared, inputIds]));
  const bias = graph.scope('encoder/block.0/layer.0/SelfAttention', () => {
    const tokenPositions = positions(graph, graph.constant('int64', [0], []), lengthOf(graph, inputIds, 1));
    const relative = relativePositionBias(graph, weights.relativeBias, tokenPositions, tokenPositions, relativeOptions(dimensions, true));
    return graph.op('Add', [relative, paddingMask(graph, attentionMask)]);
  });
  for (const [index, block] of weights.blocks.entries()) {
    graph.scope(`encoder/block.${index}`, () => {
      const normed = t5LayerNorm(graph, 'layer.0/layer_norm', hidden, block.selfAttentionNorm, epsilon);
      const attended = graph.scope('layer.0/SelfAttention', () => {
        const { query, key, value, output } = block.selfAttention;
        const heads = [query, key, value].map((weight) => projectHeads(graph, normed, weight, shape));
        return t5Attention(graph, heads[0]!, heads[1]!, heads[2]!, bias, output, shape);
      });
      hidden = graph.op('Add', [hidden, attended], {}, { name: 'attention_residual' });
      const feedForwardInput = t5LayerNorm(graph, 'layer.1/layer_norm', hidden, block.feedForwardNorm, epsilon);
      const fed = graph.scope('layer.1/DenseReluDense', () => t5FeedForward(graph, feedForwardInput, block.feedForward));
      hidden = graph.op('Add', [hidden, fed], {}, { name: 'feed_forward_residual' });
    });
  }
  const output = t5LayerNorm(graph, 'encoder/final_layer_norm', hidden, weights.finalNorm, epsilon);
  graph.output(output, 'last_hidden_state', 'float32', [batch, encoderLength, dimensions.hidden]);
  return graph.build();
}

interface DecoderCache {
  readonly decoderKey: Value;
  readonly decoderValue: Value;
  readonly encoderKey: Value;
  readonly encoderValue: Value;
}

interface DecoderContext {
  readonly dimensions: T5GraphDimensions;
  readonly weights: StackWeights;
  readonly languageModelHead: Value;
  readonly embedded: Value;
  readonly inputIds: Value;
  readonly encoderHiddenStates: Value;
  readonly crossMask: Value;
  readonly past: readonly DecoderCache[];
}

/**
 * One branch of the merged decoder. Without past: self-attention over the new tokens only, and
 * cross-attention keys/values projected from `encoder_hidden_states`. With past: the new tokens'
 * keys/values are appended to the cached ones and cross-attention reads `past_key_values.*.encoder.*`
 * as they are (they are returned unchanged as the `present.*.encoder.*` outputs).
 */
function buildDecoderBranch(branch: GraphBuilder, withPast: boolean, context: DecoderContext): void {
  const { dimensions, weights } = context;
  const shape: HeadShape = { heads: dimensions.heads, headDim: dimensions.headDim };
  const epsilon = dimensions.layerNormEpsilon;
  const presents: DecoderCache[] = [];
  let hidden = context.embedded;

  const selfBias = branch.scope('decoder/block.0/layer.0/SelfAttention', () => {
    const pastLength = withPast ? lengthOf(branch, context.past[0]!.decoderKey, 2) : branch.constant('int64', [0], []);
    const totalLength = branch.op('Add', [pastLength, lengthOf(branch, context.inputIds, 1)]);
    const queryPositions = positions(branch, pastLength, totalLength);
    const keyPositions = positions(branch, branch.constant('int64', [0], []), totalLength);
    const relative = relativePositionBias(branch, weights.relativeBias, queryPositions, keyPositions, relativeOptions(dimensions, false));
    return branch.op('Add', [relative, causalMask(branch, queryPositions, keyPositions)]);
  });

  for (const [index, block] of weights.blocks.entries()) {
    const cache = context.past[index]!;
    branch.scope(`decoder/block.${index}`, () => {
      const normed = t5LayerNorm(branch, 'layer.0/layer_norm', hidden, block.selfAttentionNorm, epsilon);
      const attended = branch.scope('layer.0/SelfAttention', () => {
        const { query, key, value, output } = block.selfAttention;
        const [queryHeads, newKeys, newValues] = [query, key, value].map((weight) => projectHeads(branch, normed, weight, shape));
        const keys = withPast ? branch.op('Concat', [cache.decoderKey, newKeys!], { axis: int(2) }) : newKeys!;
        const values = withPast ? branch.op('Concat', [cache.decoderValue, newValues!], { axis: int(2) }) : newValues!;
        presents.push({ decoderKey: keys, decoderValue: values, encoderKey: cache.encoderKey, encoderValue: cache.encoderValue });
        return t5Attention(branch, queryHeads!, keys, values, selfBias, output, shape);
      });
      hidden = branch.op('Add', [hidden, attended], {}, { name: 'self_attention_residual' });

      const crossInput = t5LayerNorm(branch, 'layer.1/layer_norm', hidden, block.crossAttentionNorm!, epsilon);
      const crossAttended = branch.scope('layer.1/EncDecAttention', () => {
        const { query, key, value, output } = block.crossAttention!;
        const encoderKeys = withPast ? cache.encoderKey : projectHeads(branch, context.encoderHiddenStates, key, shape);
        const encoderValues = withPast ? cache.encoderValue : projectHeads(branch, context.encoderHiddenStates, value, shape);
        const present = presents[index]!;
        presents[index] = { ...present, encoderKey: encoderKeys, encoderValue: encoderValues };
        return t5Attention(branch, projectHeads(branch, crossInput, query, shape), encoderKeys, encoderValues, context.crossMask, output, shape);
      });
      hidden = branch.op('Add', [hidden, crossAttended], {}, { name: 'cross_attention_residual' });

      const feedForwardInput = t5LayerNorm(branch, 'layer.2/layer_norm', hidden, block.feedForwardNorm, epsilon);
      const fed = branch.scope('layer.2/DenseReluDense', () => t5FeedForward(branch, feedForwardInput, block.feedForward));
      hidden = branch.op('Add', [hidden, fed], {}, { name: 'feed_forward_residual' });
    });
  }

  const finalNorm = t5LayerNorm(branch, 'decoder/final_layer_norm', hidden, weights.finalNorm, epsilon);
  const logits = branch.scope('lm_head', () => {
    const scaled = dimensions.tieWordEmbeddings
      ? branch.op('Mul', [finalNorm, branch.constant('float32', [dimensions.hidden ** -0.5], [])])
      : finalNorm;
    return branch.op('MatMul', [scaled, context.languageModelHead]);
  });
  const suffix = withPast ? 'with_past' : 'without_past';
  branch.output(logits, `logits_${suffix}`, 'float32');
  for (const [index, present] of presents.entries()) {
    branch.output(present.decoderKey, `present.${index}.decoder.key_${suffix}`, 'float32');
    branch.output(present.decoderValue, `present.${index}.decoder.value_${suffix}`, 'float32');
    branch.output(present.encoderKey, `present.${index}.encoder.key_${suffix}`, 'float32');
    branch.output(present.encoderValue, `present.${index}.encoder.value_${suffix}`, 'float32');
  }
}

/**
 * T5's decoder with language-model head, laid out like optimum's `decoder_model_merged.onnx`:
 * `encoder_attention_mask` [batch_size, encoder_sequence_length], `input_ids`
 * [batch_size, decoder_sequence_length], `encoder_hidden_states`, `past_key_values.{i}.decoder.key|value`
 * [batch_size, heads, past_decoder_sequence_length, d_kv], `past_key_values.{i}.encoder.key|value`
 * [batch_size, heads, encoder_sequence_length_out, d_kv], `use_cache_branch` bool [1] → `logits`,
 * `present.{i}.decoder.*`, `present.{i}.encoder.*`. Like real exports, an `If` on `use_cache_branch`
 * selects one of two bodies that share the outer graph's weights; the cached body reads the
 * cross-attention keys/values from the past instead of recomputing them.
 */
export function buildT5DecoderGraph(seed: string, dimensions: T5GraphDimensions): GraphDefinition {
  const { heads, headDim, hidden, vocabularySize } = dimensions;
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const encoderAttentionMask = graph.input('encoder_attention_mask', 'int64', [batch, encoderLength]);
  const inputIds = graph.input('input_ids', 'int64', [batch, decoderLength]);
  const encoderHiddenStates = graph.input('encoder_hidden_states', 'float32', [batch, encoderLength, hidden]);
  const cacheDims = (length: string): Dim[] => [batch, heads, length, headDim];
  const past = Array.from({ length: dimensions.decoderLayers }, (_, layer): DecoderCache => ({
    decoderKey: graph.input(`past_key_values.${layer}.decoder.key`, 'float32', cacheDims(pastDecoderLength)),
    decoderValue: graph.input(`past_key_values.${layer}.decoder.value`, 'float32', cacheDims(pastDecoderLength)),
    encoderKey: graph.input(`past_key_values.${layer}.encoder.key`, 'float32', cacheDims(cachedEncoderLength)),
    encoderValue: graph.input(`past_key_values.${layer}.encoder.value`, 'float32', cacheDims(cachedEncoderLength)),
  }));
  const useCacheBranch = graph.input('use_cache_branch', 'bool', [1]);

  const sharedData = parameters.uniformData('shared.weight', [vocabularySize, hidden], 1 / 3);
  const shared = graph.initializer('shared.weight', 'float32', [vocabularySize, hidden], sharedData);
  const weights = stackWeights(parameters, 'decoder', dimensions);
  const languageModelHead = dimensions.tieWordEmbeddings
    ? graph.initializer('lm_head.weight', 'float32', [hidden, vocabularySize], transposedFloat32(sharedData, vocabularySize, hidden))
    : weight(parameters, 'lm_head.weight', [hidden, vocabularySize], 1);

  const context: DecoderContext = {
    dimensions,
    weights,
    languageModelHead,
    embedded: graph.scope('decoder/embed_tokens', () => graph.op('Gather', [shared, inputIds])),
    inputIds,
    encoderHiddenStates,
    crossMask: graph.scope('decoder', () => paddingMask(graph, encoderAttentionMask)),
    past,
  };
  const withPast = graph.subgraph('decoder_with_past');
  withPast.scope('with_past', () => buildDecoderBranch(withPast, true, context));
  const withoutPast = graph.subgraph('decoder_without_past');
  withoutPast.scope('without_past', () => buildDecoderBranch(withoutPast, false, context));

  const outputCount = 1 + 4 * dimensions.decoderLayers;
  const [logits, ...presents] = graph.opWithOutputs('If', [useCacheBranch], outputCount, {
    then_branch: graphAttribute(withPast.build()),
    else_branch: graphAttribute(withoutPast.build()),
  });
  graph.output(logits!, 'logits', 'float32', [batch, decoderLength, vocabularySize]);
  for (let layer = 0; layer < dimensions.decoderLayers; layer += 1) {
    const [decoderKey, decoderValue, encoderKey, encoderValue] = presents.slice(4 * layer, 4 * layer + 4);
    graph.output(decoderKey!, `present.${layer}.decoder.key`, 'float32', cacheDims(presentDecoderLength));
    graph.output(decoderValue!, `present.${layer}.decoder.value`, 'float32', cacheDims(presentDecoderLength));
    graph.output(encoderKey!, `present.${layer}.encoder.key`, 'float32', cacheDims(cachedEncoderLength));
    graph.output(encoderValue!, `present.${layer}.encoder.value`, 'float32', cacheDims(cachedEncoderLength));
  }
  return graph.build();
}
