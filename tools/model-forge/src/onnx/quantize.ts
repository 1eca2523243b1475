import { int } from './attributes.js';
import type { AttributeDefinition, GraphDefinition, NodeDefinition, TensorDefinition } from './definitions.js';
import type { TensorData } from './tensor-data.js';
import { float32View } from './tensor-data.js';

interface WeightUsage {
  readonly tensor: TensorDefinition;
  usedAsFloat: boolean;
  usedQuantized: boolean;
}

interface QuantizedActivation {
  readonly values: string;
  readonly scale: string;
  readonly zeroPoint: string;
}

/**
 * Dynamic int8 quantization, as onnxruntime's `quantize_dynamic` writes it: float32 weights
 * of MatMul become int8 (symmetric, per tensor) behind DynamicQuantizeLinear + MatMulInteger;
 * float32 tables read by Gather become int8 followed by DequantizeLinear. Subgraphs are
 * rewritten too; weights still read as float elsewhere are kept.
 */
export function quantizeWeights(graph: GraphDefinition): GraphDefinition {
  return rewriteGraph(graph, new Map());
}

function rewriteGraph(graph: GraphDefinition, outerWeights: ReadonlyMap<string, WeightUsage>): GraphDefinition {
  const ownWeights = new Map(
    graph.initializers
      .filter((tensor) => tensor.dataType === 'float32' && tensor.dims.length === 2)
      .map((tensor): [string, WeightUsage] => [tensor.name, { tensor, usedAsFloat: false, usedQuantized: false }]),
  );
  const weights = new Map([...outerWeights, ...ownWeights]);
  const activations = new Map<string, QuantizedActivation>();
  const nodes: NodeDefinition[] = [];

  for (const original of graph.nodes) {
    const node = { ...original, attributes: original.attributes.map((attribute) => rewriteAttribute(attribute, weights)) };
    const [first = '', second = ''] = node.inputs;
    const matMulWeight = node.opType === 'MatMul' && node.domain === '' ? weights.get(second) : undefined;
    const gatherTable = node.opType === 'Gather' && node.domain === '' ? weights.get(first) : undefined;
    const quantizedIndex = matMulWeight !== undefined ? 1 : gatherTable !== undefined ? 0 : -1;
    node.inputs.forEach((input, index) => {
      const usage = weights.get(input);
      if (usage === undefined) return;
      if (index === quantizedIndex) usage.usedQuantized = true;
      else usage.usedAsFloat = true;
    });
    if (matMulWeight !== undefined) {
      nodes.push(...quantizedMatMul(node, quantizeActivation(first, node.name, activations, nodes), second));
    } else if (gatherTable !== undefined) {
      nodes.push(...quantizedGather(node, first));
    } else {
      nodes.push(node);
    }
  }

  const initializers = graph.initializers.flatMap((tensor) => {
    const usage = ownWeights.get(tensor.name);
    if (usage === undefined) return [tensor];
    return [...(usage.usedAsFloat ? [tensor] : []), ...(usage.usedQuantized ? quantizedTensors(tensor) : [])];
  });
  return { ...graph, nodes, initializers };
}

function rewriteAttribute(attribute: AttributeDefinition, weights: ReadonlyMap<string, WeightUsage>): AttributeDefinition {
  if (attribute.value.kind !== 'graph') return attribute;
  return { name: attribute.name, value: { kind: 'graph', value: rewriteGraph(attribute.value.value, weights) } };
}

/** Names of a quantized weight's tensors. */
const names = {
  values: (name: string) => `${name}_quantized`,
  scale: (name: string) => `${name}_scale`,
  zeroPoint: (name: string) => `${name}_zero_point`,
};

function quantizeActivation(
  input: string,
  nodeName: string,
  activations: Map<string, QuantizedActivation>,
  nodes: NodeDefinition[],
): QuantizedActivation {
  const existing = activations.get(input);
  if (existing !== undefined) return existing;
  const quantized = {
    values: `${input}_dynamic_quantized`,
    scale: `${input}_dynamic_scale`,
    zeroPoint: `${input}_dynamic_zero_point`,
  };
  nodes.push(node(`${nodeName}_DynamicQuantizeLinear`, 'DynamicQuantizeLinear', [input], [quantized.values, quantized.scale, quantized.zeroPoint]));
  activations.set(input, quantized);
  return quantized;
}

function quantizedMatMul(original: NodeDefinition, activation: QuantizedActivation, weight: string): NodeDefinition[] {
  const output = original.outputs[0]!;
  const integer = `${output}_integer`;
  const asFloat = `${output}_float`;
  const scale = `${output}_combined_scale`;
  return [
    node(`${original.name}_MatMulInteger`, 'MatMulInteger', [activation.values, names.values(weight), activation.zeroPoint, names.zeroPoint(weight)], [integer]),
    node(`${original.name}_Cast`, 'Cast', [integer], [asFloat], [{ name: 'to', value: int(1) }]),
    node(`${original.name}_scale`, 'Mul', [activation.scale, names.scale(weight)], [scale]),
    node(original.name, 'Mul', [asFloat, scale], [output]),
  ];
}

function quantizedGather(original: NodeDefinition, table: string): NodeDefinition[] {
  const output = original.outputs[0]!;
  const gathered = `${output}_int8`;
  return [
    { ...original, inputs: [names.values(table), ...original.inputs.slice(1)], outputs: [gathered] },
    node(`${original.name}_DequantizeLinear`, 'DequantizeLinear', [gathered, names.scale(table), names.zeroPoint(table)], [output]),
  ];
}

function node(
  name: string,
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: readonly AttributeDefinition[] = [],
): NodeDefinition {
  return { name, opType, domain: '', inputs, outputs, attributes };
}

function quantizedTensors(tensor: TensorDefinition): TensorDefinition[] {
  const scale = new ScaleOf(tensor.data);
  return [
    { name: names.values(tensor.name), dataType: 'int8', dims: tensor.dims, data: int8Symmetric(tensor.data, scale) },
    { name: names.scale(tensor.name), dataType: 'float32', dims: [], data: int8Scale(tensor.data, scale) },
    { name: names.zeroPoint(tensor.name), dataType: 'int8', dims: [], data: zeroInt8 },
  ];
}

/** The scale of a weight, remembered once its values have been produced for quantization. */
class ScaleOf {
  private known: number | undefined;

  constructor(private readonly source: TensorData) {}

  from(values: Float32Array): number {
    this.known ??= scaleOf(values);
    return this.known;
  }

  get(): number {
    return this.known ?? this.from(float32View(this.source.produce()));
  }
}

const zeroInt8: TensorData = { byteLength: 1, fingerprint: 'int8:0', produce: () => Uint8Array.of(0) };

function int8Symmetric(source: TensorData, scaleOfSource: ScaleOf): TensorData {
  return {
    byteLength: source.byteLength / 4,
    fingerprint: `int8-symmetric(${source.fingerprint})`,
    produce: () => {
      const values = float32View(source.produce());
      const scale = scaleOfSource.from(values);
      const quantized = new Int8Array(values.length);
      for (let index = 0; index < values.length; index += 1) {
        quantized[index] = Math.max(-127, Math.min(127, Math.round(values[index]! / scale)));
      }
      return new Uint8Array(quantized.buffer);
    },
  };
}

function int8Scale(source: TensorData, scaleOfSource: ScaleOf): TensorData {
  return {
    byteLength: 4,
    fingerprint: `int8-scale(${source.fingerprint})`,
    produce: () => new Uint8Array(Float32Array.of(scaleOfSource.get()).buffer),
  };
}

function scaleOf(values: Float32Array): number {
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  return Math.fround(largest > 0 ? largest / 127 : 1);
}
