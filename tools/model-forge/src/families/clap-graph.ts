import { int, ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { filledFloat32 } from '../onnx/tensor-data.js';
import type { HtsatDimensions } from './clap-audio-encoder.js';
import { buildHtsatEncoder, htsatHiddenSize } from './clap-audio-encoder.js';
import type { RobertaDimensions } from './clap-text-encoder.js';
import { buildRobertaEncoder } from './clap-text-encoder.js';
import { linear } from './layers.js';
import { Parameters } from './parameters.js';

export interface ClapGraphDimensions {
  readonly text: RobertaDimensions;
  readonly audio: HtsatDimensions;
  /** Width of the shared embedding space (512). */
  readonly projectionDim: number;
  /** exp(logit scale) at initialisation: 1/0.07. */
  readonly logitScale: number;
}

/** ClapProjectionLayer: Linear → ReLU → Linear. */
function projection(graph: GraphBuilder, parameters: Parameters, name: string, input: Value, inFeatures: number, outFeatures: number): Value {
  const first = graph.op('Relu', [linear(graph, parameters, `${name}.linear1`, input, inFeatures, outFeatures)]);
  return linear(graph, parameters, `${name}.linear2`, first, outFeatures, outFeatures);
}

function l2Normalize(graph: GraphBuilder, input: Value): Value {
  return graph.op('Div', [input, graph.op('ReduceL2', [input], { axes: ints([-1]), keepdims: int(1) })]);
}

/**
 * ClapModel laid out like the transformers.js export (`onnx/model.onnx`): `input_ids`,
 * `attention_mask` [text_batch_size, sequence_length] int64 and `input_features`
 * [audio_batch_size, 1, time_frames, mel] float32 → `logits_per_audio` [audio, text],
 * `logits_per_text` [text, audio], `text_embeds` [text, projection], `audio_embeds` [audio, projection].
 * Embeddings are L2-normalised; logits are the cosine similarities times exp(logit_scale_a|t).
 */
export function buildClapGraph(seed: string, dimensions: ClapGraphDimensions): GraphDefinition {
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['text_batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['text_batch_size', 'sequence_length']);
  const inputFeatures = graph.input('input_features', 'float32', ['audio_batch_size', 1, 'time_frames', dimensions.audio.melBins]);

  const pooledText = buildRobertaEncoder(graph, parameters, inputIds, attentionMask, dimensions.text);
  const textEmbeds = graph.scope('text_projection', () => l2Normalize(graph, projection(graph, parameters, 'text_projection', pooledText, dimensions.text.hidden, dimensions.projectionDim)));
  const pooledAudio = buildHtsatEncoder(graph, parameters, inputFeatures, dimensions.audio);
  const audioEmbeds = graph.scope('audio_projection', () => l2Normalize(graph, projection(graph, parameters, 'audio_projection', pooledAudio, htsatHiddenSize(dimensions.audio), dimensions.projectionDim)));

  const logScale = Math.log(dimensions.logitScale);
  const scaleAudio = graph.op('Exp', [graph.initializer('logit_scale_a', 'float32', [], filledFloat32(1, logScale))]);
  const scaleText = graph.op('Exp', [graph.initializer('logit_scale_t', 'float32', [], filledFloat32(1, logScale))]);
  const logitsPerAudio = graph.op('Mul', [graph.op('MatMul', [audioEmbeds, graph.op('Transpose', [textEmbeds], { perm: ints([1, 0]) })]), scaleAudio]);
  const logitsPerText = graph.op('Mul', [graph.op('MatMul', [textEmbeds, graph.op('Transpose', [audioEmbeds], { perm: ints([1, 0]) })]), scaleText]);

  graph.output(logitsPerAudio, 'logits_per_audio', 'float32', ['audio_batch_size', 'text_batch_size']);
  graph.output(logitsPerText, 'logits_per_text', 'float32', ['text_batch_size', 'audio_batch_size']);
  graph.output(textEmbeds, 'text_embeds', 'float32', ['text_batch_size', dimensions.projectionDim]);
  graph.output(audioEmbeds, 'audio_embeds', 'float32', ['audio_batch_size', dimensions.projectionDim]);
  return graph.build();
}
