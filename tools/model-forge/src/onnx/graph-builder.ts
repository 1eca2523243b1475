import type { Dim, TensorDataType } from './data-types.js';
import type {
  AttributeDefinition,
  AttributeValue,
  GraphDefinition,
  NodeDefinition,
  TensorDefinition,
  ValueInfoDefinition,
} from './definitions.js';
import type { TensorData } from './tensor-data.js';
import { float32Values, int64Values } from './tensor-data.js';

/** A named tensor in a graph under construction: a graph input, an initializer or a node output. */
export class Value {
  #name: string;

  constructor(name: string) {
    this.#name = name;
  }

  get name(): string {
    return this.#name;
  }

  /** Only the builder that created this value renames it, before the graph is built. */
  rename(name: string): void {
    this.#name = name;
  }
}

export type Attributes = Readonly<Record<string, AttributeValue>>;

export interface OpOptions {
  /** Node name; defaults to the op type, made unique within the current scope. */
  readonly name?: string;
  readonly domain?: string;
}

interface PendingNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attributes: readonly AttributeDefinition[];
}

interface PendingOutput {
  readonly value: Value;
  readonly dataType: TensorDataType;
  readonly dims?: readonly Dim[];
}

/** Unique names across a graph and all of its subgraphs, as ONNX requires. */
class NameRegistry {
  private readonly used = new Set<string>();

  claim(name: string): string {
    if (this.used.has(name)) throw new Error(`Duplicate tensor name in graph: ${name}`);
    this.used.add(name);
    return name;
  }

  unique(base: string): string {
    let candidate = base;
    for (let counter = 1; this.used.has(candidate); counter += 1) candidate = `${base}_${counter}`;
    return this.claim(candidate);
  }

  release(name: string): void {
    this.used.delete(name);
  }
}

/**
 * Builds an ONNX graph in SSA style: every `op` returns new values named after the node
 * (`/scope/MatMul_output_0`, as exporters name them); `output` gives a value its public name.
 */
export class GraphBuilder {
  private names = new NameRegistry();
  private readonly nodes: PendingNode[] = [];
  private readonly initializers: TensorDefinition[] = [];
  private readonly inputs: ValueInfoDefinition[] = [];
  private readonly outputs: PendingOutput[] = [];
  private readonly constants = new Map<string, Value>();
  private readonly scopes: string[] = [];

  constructor(private readonly graphName = 'main_graph') {}

  input(name: string, dataType: TensorDataType, dims: readonly Dim[]): Value {
    this.inputs.push({ name: this.names.claim(name), dataType, dims });
    return new Value(name);
  }

  initializer(name: string, dataType: TensorDataType, dims: readonly number[], data: TensorData): Value {
    return this.addInitializer(this.names.claim(name), dataType, dims, data);
  }

  /** A small constant initializer, shared by every use of the same values. */
  constant(dataType: 'int64' | 'float32', values: readonly number[], dims: readonly number[] = [values.length]): Value {
    const key = `${dataType}[${dims.join(',')}]:${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const readable = values.slice(0, 4).join('_').replaceAll('-', 'm').replace(/\W/g, 'p');
    const name = this.names.unique(`const_${dataType}_${readable}`);
    const data = dataType === 'int64' ? int64Values(values) : float32Values(values);
    const value = this.addInitializer(name, dataType, dims, data);
    this.constants.set(key, value);
    return value;
  }

  op(opType: string, inputs: readonly (Value | null)[], attributes: Attributes = {}, options: OpOptions = {}): Value {
    const [output] = this.opWithOutputs(opType, inputs, 1, attributes, options);
    return output!;
  }

  opWithOutputs(
    opType: string,
    inputs: readonly (Value | null)[],
    outputCount: number,
    attributes: Attributes = {},
    options: OpOptions = {},
  ): Value[] {
    const name = this.names.unique(`${this.scopePrefix()}/${options.name ?? opType}`);
    const outputs = Array.from({ length: outputCount }, (_, index) => new Value(this.names.claim(`${name}_output_${index}`)));
    this.nodes.push({
      name,
      opType,
      domain: options.domain ?? '',
      inputs,
      outputs,
      attributes: Object.entries(attributes).map(([attributeName, value]) => ({ name: attributeName, value })),
    });
    return outputs;
  }

  /** Runs `body` with node names prefixed by `name` (nested scopes join with `/`). */
  scope<T>(name: string, body: () => T): T {
    this.scopes.push(name);
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  /** A builder for a subgraph (an `If` branch): it may use this graph's values by reference. */
  subgraph(name: string): GraphBuilder {
    const child = new GraphBuilder(name);
    child.names = this.names;
    return child;
  }

  /**
   * Declares a graph output. An output of this graph's nodes is renamed to `name`; any other
   * value (input, initializer, outer-scope value, value already declared) goes through Identity.
   */
  output(value: Value, name: string, dataType: TensorDataType, dims?: readonly Dim[]): void {
    const renamable = this.ownsNodeOutput(value) && !this.outputs.some((output) => output.value === value);
    const named = renamable ? value : this.op('Identity', [value]);
    if (named.name !== name) {
      this.names.claim(name);
      this.names.release(named.name);
      named.rename(name);
    }
    this.outputs.push({ value: named, dataType, dims });
  }

  build(): GraphDefinition {
    return {
      name: this.graphName,
      nodes: this.nodes.map(
        (node): NodeDefinition => ({
          name: node.name,
          opType: node.opType,
          domain: node.domain,
          inputs: node.inputs.map((input) => input?.name ?? ''),
          outputs: node.outputs.map((output) => output.name),
          attributes: node.attributes,
        }),
      ),
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs.map(({ value, dataType, dims }) => ({ name: value.name, dataType, dims })),
    };
  }

  private addInitializer(name: string, dataType: TensorDataType, dims: readonly number[], data: TensorData): Value {
    this.initializers.push({ name, dataType, dims, data });
    return new Value(name);
  }

  private ownsNodeOutput(value: Value): boolean {
    return this.nodes.some((node) => node.outputs.includes(value));
  }

  private scopePrefix(): string {
    return this.scopes.map((scope) => `/${scope}`).join('');
  }
}
