import type { Dim, TensorDataType } from './data-types.js';
import type { TensorData } from './tensor-data.js';

/** The subset of ONNX's ModelProto that model-forge writes, as plain data. */
export interface ModelDefinition {
  readonly graph: GraphDefinition;
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface GraphDefinition {
  readonly name: string;
  readonly nodes: readonly NodeDefinition[];
  readonly initializers: readonly TensorDefinition[];
  readonly inputs: readonly ValueInfoDefinition[];
  readonly outputs: readonly ValueInfoDefinition[];
}

export interface NodeDefinition {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** An empty string marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly AttributeDefinition[];
}

export interface TensorDefinition {
  readonly name: string;
  readonly dataType: TensorDataType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export interface ValueInfoDefinition {
  readonly name: string;
  readonly dataType: TensorDataType;
  /** Omitted: the shape is unknown (rank included). */
  readonly dims?: readonly Dim[];
}

export interface AttributeDefinition {
  readonly name: string;
  readonly value: AttributeValue;
}

export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number | bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: TensorDefinition }
  | { readonly kind: 'graph'; readonly value: GraphDefinition };
