import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { attribute, createModel, GraphBuilder, quantizeWeights, uniformFloat32 } from '../src/index.js';
import { modelBytes } from './helpers/model-bytes.js';
import { summarizeModel } from './helpers/onnx-reader.js';

function buildGraph() {
  const graph = new GraphBuilder();
  const ids = graph.input('ids', 'int64', ['n']);
  const useBranch = graph.input('use_branch', 'bool', [1]);
  const table = graph.initializer('table', 'float32', [10, 8], uniformFloat32('table', 80, 1));
  const weight = graph.initializer('weight', 'float32', [8, 8], uniformFloat32('weight', 64, 0.5));
  const embedded = graph.op('Gather', [table, ids]);
  const projected = graph.op('MatMul', [embedded, weight]);
  const withFloatUse = graph.op('Add', [graph.op('MatMul', [projected, weight]), graph.op('ReduceMean', [weight], { keepdims: attribute.int(0) })]);
  const branch = graph.subgraph('then_branch');
  branch.output(branch.op('MatMul', [withFloatUse, weight]), 'branch_out', 'float32', ['n', 8]);
  const identity = graph.subgraph('else_branch');
  identity.output(identity.op('Identity', [withFloatUse]), 'identity_out', 'float32', ['n', 8]);
  const result = graph.op('If', [useBranch], {
    then_branch: attribute.graph(branch.build()),
    else_branch: attribute.graph(identity.build()),
  });
  graph.output(result, 'y', 'float32', ['n', 8]);
  return graph.build();
}

async function run(bytes: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const outputs = await session.run({
    ids: new ort.Tensor('int64', BigInt64Array.of(1n, 7n, 3n), [3]),
    use_branch: new ort.Tensor('bool', [true], [1]),
  });
  return outputs.y!.data as Float32Array;
}

describe('quantizeWeights', () => {
  it('rewrites MatMul and Gather weights to int8, in subgraphs too, and stays close to float32', async () => {
    const graph = buildGraph();
    const quantizedBytes = modelBytes(createModel(quantizeWeights(graph)));
    const summary = summarizeModel(quantizedBytes);
    expect(summary.initializers.map((initializer) => initializer.name).sort()).toEqual(
      ['table_quantized', 'table_scale', 'table_zero_point', 'weight', 'weight_quantized', 'weight_scale', 'weight_zero_point'].sort(),
    );
    expect(summary.opTypes).toEqual(expect.arrayContaining(['DynamicQuantizeLinear', 'MatMulInteger', 'DequantizeLinear']));
    expect(summary.opTypes).not.toContain('MatMul');

    const expected = await run(modelBytes(createModel(graph)));
    const actual = await run(quantizedBytes);
    expect(actual).not.toEqual(expected);
    actual.forEach((value, index) => expect(Math.abs(value - expected[index]!)).toBeLessThan(0.05));
  });
});
