import { ints } from '../onnx/attributes.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import type { ClipTextDimensions, ClipVisionDimensions } from './clip-encoder.js';
import { clipTextTower, clipVisionTower, l2Normalize, logitScale, projection } from './clip-encoder.js';
import { Parameters } from './parameters.js';

export interface ClipGraphDimensions {
  readonly text: ClipTextDimensions;
  readonly vision: ClipVisionDimensions;
  readonly projection: number;
  /** The learned temperature before `exp`: ln 100 in trained checkpoints. */
  readonly logitScale: number;
}

/** ln 100: the value every trained OpenAI CLIP checkpoint's `logit_scale` holds (it is clamped there). */
export const trainedClipLogitScale = Math.log(100);

/**
 * CLIPTextModelWithProjection (`onnx/text_model.onnx`): `input_ids`, `attention_mask`
 * [batch_size, sequence_length] → `text_embeds` [batch_size, projection] (not normalised),
 * `last_hidden_state` [batch_size, sequence_length, hidden].
 */
export function buildClipTextGraph(seed: string, dimensions: ClipGraphDimensions): GraphDefinition {
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const { lastHiddenState, pooled } = clipTextTower(graph, parameters, inputIds, attentionMask, dimensions.text);
  const textEmbeds = projection(graph, parameters, 'text_projection', pooled, dimensions.text.hidden, dimensions.projection);
  graph.output(textEmbeds, 'text_embeds', 'float32', ['batch_size', dimensions.projection]);
  graph.output(lastHiddenState, 'last_hidden_state', 'float32', ['batch_size', 'sequence_length', dimensions.text.hidden]);
  return graph.build();
}

/**
 * CLIPVisionModelWithProjection (`onnx/vision_model.onnx`): `pixel_values` [batch_size, 3, size, size]
 * → `image_embeds` [batch_size, projection] (not normalised), `last_hidden_state` [batch_size, patches + 1, hidden].
 */
export function buildClipVisionGraph(seed: string, dimensions: ClipGraphDimensions): GraphDefinition {
  const { vision } = dimensions;
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const pixelValues = graph.input('pixel_values', 'float32', ['batch_size', 3, vision.imageSize, vision.imageSize]);
  const { lastHiddenState, pooled } = clipVisionTower(graph, parameters, 'vision_model', pixelValues, vision);
  const imageEmbeds = projection(graph, parameters, 'visual_projection', pooled, vision.hidden, dimensions.projection);
  graph.output(imageEmbeds, 'image_embeds', 'float32', ['batch_size', dimensions.projection]);
  graph.output(lastHiddenState, 'last_hidden_state', 'float32', ['batch_size', (vision.imageSize / vision.patchSize) ** 2 + 1, vision.hidden]);
  return graph.build();
}

/**
 * CLIPModel (`onnx/model.onnx`): `input_ids`, `attention_mask` [text_batch_size, sequence_length],
 * `pixel_values` [image_batch_size, 3, size, size] → `logits_per_image` [image_batch_size, text_batch_size],
 * `logits_per_text`, and the L2-normalised `text_embeds`, `image_embeds`. Same weights as the two
 * tower files (same names, same seed).
 */
export function buildClipGraph(seed: string, dimensions: ClipGraphDimensions): GraphDefinition {
  const { text, vision } = dimensions;
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const inputIds = graph.input('input_ids', 'int64', ['text_batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['text_batch_size', 'sequence_length']);
  const pixelValues = graph.input('pixel_values', 'float32', ['image_batch_size', 3, vision.imageSize, vision.imageSize]);
  const textTower = clipTextTower(graph, parameters, inputIds, attentionMask, text);
  const visionTower = clipVisionTower(graph, parameters, 'vision_model', pixelValues, vision);
  const textEmbeds = graph.scope('text', () =>
    l2Normalize(graph, projection(graph, parameters, 'text_projection', textTower.pooled, text.hidden, dimensions.projection)),
  );
  const imageEmbeds = graph.scope('image', () =>
    l2Normalize(graph, projection(graph, parameters, 'visual_projection', visionTower.pooled, vision.hidden, dimensions.projection)),
  );
  const logitsPerText = graph.scope('logits', () =>
    graph.op('Mul', [
      graph.op('MatMul', [textEmbeds, graph.op('Transpose', [imageEmbeds], { perm: ints([1, 0]) })]),
      logitScale(graph, dimensions.logitScale),
    ]),
  );
  const logitsPerImage = graph.op('Transpose', [logitsPerText], { perm: ints([1, 0]) });
  graph.output(logitsPerImage, 'logits_per_image', 'float32', ['image_batch_size', 'text_batch_size']);
  graph.output(logitsPerText, 'logits_per_text', 'float32', ['text_batch_size', 'image_batch_size']);
  graph.output(textEmbeds, 'text_embeds', 'float32', ['text_batch_size', dimensions.projection]);
  graph.output(imageEmbeds, 'image_embeds', 'float32', ['image_batch_size', dimensions.projection]);
  return graph.build();
}
