import { int } from '../onnx/attributes.js';
import type { GraphBuilder, Value } from '../onnx/graph-builder.js';
import { maskedScore } from './layers.js';

/**
 * Additive attention mask [batch, 1, sequence, past + sequence] for a decoder with a KV cache:
 * query i (absolute position past + i) sees key j when j ≤ past + i and `attention_mask[j]` is 1.
 * The past length is the mask's length minus the number of new tokens. With `slidingWindow` W
 * (Mistral's `sliding_window`), query i sees only the W most recent keys: j > past + i − W.
 */
export function causalAttentionMask(graph: GraphBuilder, inputIds: Value, attentionMask: Value, slidingWindow?: number): Value {
  return graph.scope('causal_mask', () => {
    const lengthOf = (value: Value): Value =>
      graph.op('Gather', [graph.op('Shape', [value]), graph.constant('int64', [1], [])], { axis: int(0) });
    const zero = graph.constant('int64', [0], []);
    const one = graph.constant('int64', [1], []);
    const totalLength = lengthOf(attentionMask);
    const pastLength = graph.op('Sub', [totalLength, lengthOf(inputIds)]);
    const keyPositions = graph.op('Unsqueeze', [graph.op('Range', [zero, totalLength, one]), graph.constant('int64', [0])]);
    const queryPositions = graph.op('Unsqueeze', [graph.op('Range', [pastLength, totalLength, one]), graph.constant('int64', [1])]);
    const causal =
      slidingWindow === undefined
        ? graph.op('LessOrEqual', [keyPositions, queryPositions])
        : graph.op('And', [
            graph.op('LessOrEqual', [keyPositions, queryPositions]),
            graph.op('Less', [graph.op('Sub', [queryPositions, keyPositions]), graph.constant('int64', [slidingWindow], [])]),
          ]);
    const attended = graph.op('Unsqueeze', [graph.op('Cast', [attentionMask], { to: int(9) }), graph.constant('int64', [1, 2])]);
    const allowed = graph.op('And', [causal, attended]);
    return graph.op('Where', [allowed, graph.constant('float32', [0], []), graph.constant('float32', [maskedScore], [])]);
  });
}
