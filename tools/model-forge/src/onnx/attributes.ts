import type { AttributeValue, GraphDefinition, TensorDefinition } from './definitions.js';

export function int(value: number | bigint): AttributeValue {
  return { kind: 'int', value };
}

export function float(value: number): AttributeValue {
  return { kind: 'float', value };
}

export function ints(value: readonly (number | bigint)[]): AttributeValue {
  return { kind: 'ints', value };
}

export function floats(value: readonly number[]): AttributeValue {
  return { kind: 'floats', value };
}

export function string(value: string): AttributeValue {
  return { kind: 'string', value };
}

export function tensor(value: TensorDefinition): AttributeValue {
  return { kind: 'tensor', value };
}

export function graph(value: GraphDefinition): AttributeValue {
  return { kind: 'graph', value };
}
