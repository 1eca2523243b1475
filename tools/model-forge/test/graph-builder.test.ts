import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  attribute,
  boolValues,
  createModel,
  float32Values,
  GraphBuilder,
  int32Values,
  int8Values,
  uint8Values,
} from '../src/index.js';
import { modelBytes } from './helpers/model-bytes.js';
import { summarizeModel } from './helpers/onnx-reader.js';

async function session(graph: GraphBuilder): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelBytes(createModel(graph.build())));
}

function floats(values: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}

describe('GraphBuilder', () => {
  it('encodes INT, FLOAT, INTS, FLOATS, STRING and TENSOR attributes that onnxruntime reads', async () => {
    const graph = new GraphBuilder();
    const x = graph.input('x', 'float32', ['rows', 3]);
    const transposed = graph.op('Transpose', [x], { perm: attribute.ints([1, 0]) });
    const floatsConstant = graph.op('Constant', [], { value_floats: attribute.floats([1, 2]) });
    const tensorConstant = graph.op('Constant', [], {
      value: attribute.tensor({ name: 'ten', dataType: 'float32', dims: [1], data: float32Values([10]) }),
    });
    const padded = graph.op('Pad', [transposed, graph.constant('int64', [0, 1, 0, 1])], { mode: attribute.string('reflect') });
    const shifted = graph.op('Add', [graph.op('Mul', [padded, tensorConstant]), graph.op('ReduceSum', [floatsConstant], { keepdims: attribute.int(0) })]);
    const activated = graph.op('LeakyRelu', [shifted], { alpha: attribute.float(0.5) });
    const softmax = graph.op('Softmax', [activated], { axis: attribute.int(-1) });
    graph.output(activated, 'activated', 'float32', [3, 'padded']);
    graph.output(softmax, 'softmax', 'float32');
    const outputs = await (await session(graph)).run({ x: floats([1, -2, 3, 4, 5, -6], [2, 3]) });
    expect(outputs.activated!.dims).toEqual([3, 4]);
    expect([...(outputs.activated!.data as Float32Array)]).toEqual([
      43, 13, 43, 13, 53, -8.5, 53, -8.5, -28.5, 33, -28.5, 33,
    ]);
    expect(outputs.softmax!.dims).toEqual([3, 4]);
  });

  it('stores int32, int8, uint8 and bool initializers that onnxruntime reads back', async () => {
    const graph = new GraphBuilder();
    const x = graph.input('x', 'float32', [3]);
    const initializers = [
      graph.initializer('int32', 'int32', [3], int32Values([-70000, 0, 70000])),
      graph.initializer('int8', 'int8', [3], int8Values([-128, 1, 127])),
      graph.initializer('uint8', 'uint8', [3], uint8Values([0, 128, 255])),
      graph.initializer('bool', 'bool', [3], boolValues([true, false, true])),
    ];
    const sum = initializers
      .map((value) => graph.op('Cast', [value], { to: attribute.int(1) }))
      .reduce((total, value) => graph.op('Add', [total, value]), x);
    graph.output(sum, 'sum', 'float32', [3]);
    const outputs = await (await session(graph)).run({ x: floats([0.5, 0.5, 0.5], [3]) });
    expect([...(outputs.sum!.data as Float32Array)]).toEqual([-70000 - 128 + 0 + 1 + 0.5, 0 + 1 + 128 + 0 + 0.5, 70000 + 127 + 255 + 1 + 0.5]);
  });

  it('encodes If subgraphs (GRAPH attributes) that read values of the outer graph', async () => {
    const graph = new GraphBuilder();
    const condition = graph.input('use_double', 'bool', [1]);
    const x = graph.input('x', 'float32', ['n']);
    const two = graph.constant('float32', [2], []);
    const thenBranch = graph.subgraph('then_branch');
    thenBranch.output(thenBranch.op('Mul', [x, two]), 'doubled', 'float32', ['n']);
    const elseBranch = graph.subgraph('else_branch');
    elseBranch.output(elseBranch.op('Add', [x, two]), 'shifted', 'float32', ['n']);
    const result = graph.op('If', [condition], {
      then_branch: attribute.graph(thenBranch.build()),
      else_branch: attribute.graph(elseBranch.build()),
    });
    graph.output(result, 'y', 'float32', ['n']);
    const running = await session(graph);
    const run = async (flag: boolean): Promise<number[]> => {
      const outputs = await running.run({ use_double: new ort.Tensor('bool', [flag], [1]), x: floats([1, 5], [2]) });
      return [...(outputs.y!.data as Float32Array)];
    };
    expect(await run(true)).toEqual([2, 10]);
    expect(await run(false)).toEqual([3, 7]);
  });

  it('renames node outputs to the declared output names and routes inputs through Identity', () => {
    const graph = new GraphBuilder();
    const x = graph.input('x', 'float32', [2]);
    graph.output(graph.op('Relu', [x]), 'relu', 'float32', [2]);
    graph.output(x, 'same_x', 'float32', [2]);
    const built = graph.build();
    expect(built.nodes.map((node) => [node.opType, node.outputs])).toEqual([
      ['Relu', ['relu']],
      ['Identity', ['same_x']],
    ]);
    expect(summarizeModel(modelBytes(createModel(built))).outputs).toEqual(['relu', 'same_x']);
  });

  it('names nodes after their scope and shares equal constants', () => {
    const graph = new GraphBuilder();
    const x = graph.input('x', 'int64', [2]);
    const first = graph.scope('encoder', () => graph.op('Add', [x, graph.constant('int64', [1, 2])]));
    const second = graph.scope('encoder', () => graph.op('Add', [first, graph.constant('int64', [1, 2])]));
    expect([first.name, second.name]).toEqual(['/encoder/Add_output_0', '/encoder/Add_1_output_0']);
    expect(graph.build().initializers).toHaveLength(1);
  });

  it('rejects duplicate tensor names', () => {
    const graph = new GraphBuilder();
    graph.input('x', 'float32', [1]);
    expect(() => graph.input('x', 'float32', [1])).toThrow(/Duplicate tensor name/);
  });
});
