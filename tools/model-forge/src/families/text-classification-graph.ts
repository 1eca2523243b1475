import { int } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import type { Value } from '../onnx/graph-builder.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import type { BertGraphDimensions } from './bert-graph.js';
import { bertPooler, buildBertEncoder } from './bert-graph.js';
import { linear } from './layers.js';
import { Parameters } from './parameters.js';

/** The encoders a sequence-classification folder can hold. */
export type TextClassificationModelType = 'bert' | 'distilbert';

export interface TextClassificationGraphDimensions extends BertGraphDimensions {
  /** Number of labels: the width of `logits`. */
  readonly labels: number;
}

/**
 * `*ForSequenceClassification` as transformers.js exports it: `input_ids`, `attention_mask`
 * (and, for `bert`, `token_type_ids`) [batch_size, sequence_length] → `logits` [batch_size, labels].
 *
 * - `bert` (BertForSequenceClassification): the BERT encoder, its pooler
 *   (`tanh(dense(h[CLS]))`) and `classifier`.
 * - `distilbert` (DistilBertForSequenceClassification): the same encoder without token types,
 *   then `relu(pre_classifier(h[CLS]))` and `classifier`. The encoder's weights keep BERT's names;
 *   the graph computes what DistilBERT computes (post-LayerNorm layers, exact GELU).
 */
export function buildTextClassificationGraph(
  seed: string,
  modelType: TextClassificationModelType,
  dimensions: TextClassificationGraphDimensions,
): GraphDefinition {
  const { hidden, labels } = dimensions;
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const hiddenStates = buildBertEncoder(graph, parameters, dimensions, { tokenTypeIds: modelType === 'bert' });
  let features: Value;
  if (modelType === 'bert') {
    features = bertPooler(graph, parameters, hiddenStates, hidden);
  } else {
    const first = graph.scope('cls', () => graph.op('Gather', [hiddenStates, graph.constant('int64', [0], [])], { axis: int(1) }));
    features = graph.op('Relu', [linear(graph, parameters, 'pre_classifier', first, hidden, hidden)]);
  }
  const logits = linear(graph, parameters, 'classifier', features, hidden, labels);
  graph.output(logits, 'logits', 'float32', ['batch_size', labels]);
  return graph.build();
}
