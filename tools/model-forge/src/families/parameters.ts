import { elementCount } from '../onnx/data-types.js';
import type { GraphBuilder, Value } from '../onnx/graph-builder.js';
import type { TensorData } from '../onnx/tensor-data.js';
import { filledFloat32, uniformFloat32 } from '../onnx/tensor-data.js';

/** Float32 weights for a model, each seeded from the model's seed and the weight's name. */
export class Parameters {
  constructor(
    private readonly graph: GraphBuilder,
    private readonly seed: string,
  ) {}

  /** Uniform in ±1/√fanIn, so activations keep their scale through matrix products. */
  uniform(name: string, dims: readonly number[], fanIn: number): Value {
    return this.graph.initializer(name, 'float32', dims, this.uniformData(name, dims, fanIn));
  }

  /** The data `uniform` would use, for weights derived from it (such as a tied, transposed copy). */
  uniformData(name: string, dims: readonly number[], fanIn: number): TensorData {
    return uniformFloat32(`${this.seed}/${name}`, elementCount(dims), 1 / Math.sqrt(fanIn));
  }

  filled(name: string, dims: readonly number[], value: number): Value {
    return this.graph.initializer(name, 'float32', dims, filledFloat32(elementCount(dims), value));
  }
}
