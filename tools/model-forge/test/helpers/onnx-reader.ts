/** A minimal protobuf reader for the ModelProto fields the tests inspect. */

interface Field {
  readonly number: number;
  readonly varint?: bigint;
  readonly bytes?: Uint8Array;
}

function readVarint(buffer: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let position = start;
  for (;;) {
    const byte = buffer[position]!;
    position += 1;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return { value, next: position };
    shift += 7n;
  }
}

export function readFields(buffer: Uint8Array): Field[] {
  const fields: Field[] = [];
  let position = 0;
  while (position < buffer.length) {
    const tag = readVarint(buffer, position);
    position = tag.next;
    const number = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (wireType === 0) {
      const { value, next } = readVarint(buffer, position);
      fields.push({ number, varint: value });
      position = next;
    } else if (wireType === 2) {
      const { value, next } = readVarint(buffer, position);
      const end = next + Number(value);
      fields.push({ number, bytes: buffer.subarray(next, end) });
      position = end;
    } else if (wireType === 5) {
      fields.push({ number, bytes: buffer.subarray(position, position + 4) });
      position += 4;
    } else {
      throw new Error(`Unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

const decoder = new TextDecoder();
const text = (field: Field | undefined): string => decoder.decode(field?.bytes);

export interface InitializerSummary {
  readonly name: string;
  readonly dataType: number;
  readonly dims: number[];
  readonly rawBytes: number;
}

export interface ModelSummary {
  readonly irVersion: number;
  readonly opsets: Array<{ domain: string; version: number }>;
  readonly initializers: InitializerSummary[];
  readonly opTypes: string[];
  readonly inputs: string[];
  readonly outputs: string[];
}

export function summarizeModel(bytes: Uint8Array): ModelSummary {
  const model = readFields(bytes);
  const graph = readFields(model.find((field) => field.number === 7)!.bytes!);
  const nodes = graph.filter((field) => field.number === 1).map((field) => readFields(field.bytes!));
  const names = (number: number): string[] =>
    graph.filter((field) => field.number === number).map((field) => text(readFields(field.bytes!).find((inner) => inner.number === 1)));
  return {
    irVersion: Number(model.find((field) => field.number === 1)!.varint),
    opsets: model
      .filter((field) => field.number === 8)
      .map((field) => readFields(field.bytes!))
      .map((opset) => ({ domain: text(opset.find((field) => field.number === 1)), version: Number(opset.find((field) => field.number === 2)!.varint) })),
    initializers: graph
      .filter((field) => field.number === 5)
      .map((field) => readFields(field.bytes!))
      .map((tensor) => ({
        name: text(tensor.find((field) => field.number === 8)),
        dataType: Number(tensor.find((field) => field.number === 2)!.varint),
        dims: tensor.filter((field) => field.number === 1).map((field) => Number(field.varint)),
        rawBytes: tensor.find((field) => field.number === 9)?.bytes?.length ?? 0,
      })),
    opTypes: nodes.map((node) => text(node.find((field) => field.number === 4))),
    inputs: names(11),
    outputs: names(12),
  };
}
