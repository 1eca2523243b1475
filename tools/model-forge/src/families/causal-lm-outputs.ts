import type { GraphDefinition } from '../onnx/definitions.js';
import type { GraphBuilder, Value } from '../onnx/graph-builder.js';
import type { DeferredBytes } from '../onnx/protobuf.js';
import { transposedFloat32 } from '../onnx/tensor-data.js';

export interface CausalLanguageModelOutputs {
  readonly finalNorm: Value;
  /** The token embedding table `[vocabularySize, hidden]`; `lm_head.weight` is its transpose (tied weights). */
  readonly tokenEmbeddingData: DeferredBytes;
  readonly hidden: number;
  readonly vocabularySize: number;
  readonly presents: ReadonlyArray<{ key: Value; value: Value }>;
  /** Key/value heads in the cache (a fixed integer, as in the real exports). */
  readonly cacheHeads: number;
  readonly headDim: number;
}

/**
 * The shared end of a decoder-only graph: a tied `lm_head` producing `logits`, then
 * `present.{i}.key|value` `[batch_size, heads, past_sequence_length + sequence_length, head_dim]`.
 */
export function finishCausalLanguageModel(graph: GraphBuilder, outputs: CausalLanguageModelOutputs): GraphDefinition {
  const { finalNorm, tokenEmbeddingData, hidden, vocabularySize, presents, cacheHeads, headDim } = outputs;
  const totalLength = 'past_sequence_length + sequence_length';
  const languageModelHead = graph.initializer('lm_head.weight', 'float32', [hidden, vocabularySize], transposedFloat32(tokenEmbeddingData, vocabularySize, hidden));
  const logits = graph.scope('lm_head', () => graph.op('MatMul', [finalNorm, languageModelHead]));
  graph.output(logits, 'logits', 'float32', ['batch_size', 'sequence_length', vocabularySize]);
  for (const [layer, present] of presents.entries()) {
    graph.output(present.key, `present.${layer}.key`, 'float32', ['batch_size', cacheHeads, totalLength, headDim]);
    graph.output(present.value, `present.${layer}.value`, 'float32', ['batch_size', cacheHeads, totalLength, headDim]);
  }
  return graph.build();
}
