import { bytesPerElement, elementCount, onnxDataType } from './data-types.js';
import type {
  AttributeDefinition,
  GraphDefinition,
  ModelDefinition,
  NodeDefinition,
  TensorDefinition,
  ValueInfoDefinition,
} from './definitions.js';
import { ProtoMessage } from './protobuf.js';

/** Field numbers from onnx.proto. */
const Model = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 };
const OperatorSetId = { domain: 1, version: 2 };
const StringStringEntry = { key: 1, value: 2 };
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 };
const Attribute = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, type: 20 };
const AttributeType = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7 };
const Tensor = { dims: 1, dataType: 2, name: 8, rawData: 9 };
const ValueInfo = { name: 1, type: 2 };
const TypeProto = { tensorType: 1 };
const TensorType = { elemType: 1, shape: 2 };
const TensorShape = { dim: 1 };
const Dimension = { dimValue: 1, dimParam: 2 };

export function encodeModel(model: ModelDefinition): ProtoMessage {
  const message = new ProtoMessage()
    .varint(Model.irVersion, model.irVersion)
    .string(Model.producerName, model.producerName)
    .string(Model.producerVersion, model.producerVersion);
  if (model.docString !== undefined) message.string(Model.docString, model.docString);
  message
    .message(Model.graph, encodeGraph(model.graph))
    .message(Model.opsetImport, new ProtoMessage().string(OperatorSetId.domain, '').varint(OperatorSetId.version, model.opsetVersion));
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    message.message(Model.metadataProps, new ProtoMessage().string(StringStringEntry.key, key).string(StringStringEntry.value, value));
  }
  return message;
}

export function encodeGraph(graph: GraphDefinition): ProtoMessage {
  const message = new ProtoMessage();
  for (const node of graph.nodes) message.message(Graph.node, encodeNode(node));
  message.string(Graph.name, graph.name);
  for (const tensor of graph.initializers) message.message(Graph.initializer, encodeTensor(tensor));
  for (const input of graph.inputs) message.message(Graph.input, encodeValueInfo(input));
  for (const output of graph.outputs) message.message(Graph.output, encodeValueInfo(output));
  return message;
}

function encodeNode(node: NodeDefinition): ProtoMessage {
  const message = new ProtoMessage();
  for (const input of node.inputs) message.string(Node.input, input);
  for (const output of node.outputs) message.string(Node.output, output);
  message.string(Node.name, node.name).string(Node.opType, node.opType);
  for (const attribute of node.attributes) message.message(Node.attribute, encodeAttribute(attribute));
  if (node.domain !== '') message.string(Node.domain, node.domain);
  return message;
}

function encodeAttribute({ name, value }: AttributeDefinition): ProtoMessage {
  const message = new ProtoMessage().string(Attribute.name, name);
  switch (value.kind) {
    case 'float':
      return message.float(Attribute.f, value.value).varint(Attribute.type, AttributeType.float);
    case 'int':
      return message.varint(Attribute.i, value.value).varint(Attribute.type, AttributeType.int);
    case 'string':
      return message.string(Attribute.s, value.value).varint(Attribute.type, AttributeType.string);
    case 'tensor':
      return message.message(Attribute.t, encodeTensor(value.value)).varint(Attribute.type, AttributeType.tensor);
    case 'graph':
      return message.message(Attribute.g, encodeGraph(value.value)).varint(Attribute.type, AttributeType.graph);
    case 'floats':
      for (const item of value.value) message.float(Attribute.floats, item);
      return message.varint(Attribute.type, AttributeType.floats);
    case 'ints':
      for (const item of value.value) message.varint(Attribute.ints, item);
      return message.varint(Attribute.type, AttributeType.ints);
  }
}

export function encodeTensor(tensor: TensorDefinition): ProtoMessage {
  const expected = elementCount(tensor.dims) * bytesPerElement(tensor.dataType);
  if (tensor.data.byteLength !== expected) {
    throw new Error(
      `Tensor ${tensor.name}: ${tensor.data.byteLength} bytes of data for ${tensor.dataType} [${tensor.dims.join(', ')}] (expected ${expected})`,
    );
  }
  const message = new ProtoMessage();
  for (const dim of tensor.dims) message.varint(Tensor.dims, dim);
  return message
    .varint(Tensor.dataType, onnxDataType(tensor.dataType))
    .string(Tensor.name, tensor.name)
    .deferred(Tensor.rawData, tensor.data);
}

function encodeValueInfo(info: ValueInfoDefinition): ProtoMessage {
  const tensorType = new ProtoMessage().varint(TensorType.elemType, onnxDataType(info.dataType));
  if (info.dims !== undefined) {
    const shape = new ProtoMessage();
    for (const dim of info.dims) {
      const dimension =
        typeof dim === 'number'
          ? new ProtoMessage().varint(Dimension.dimValue, dim)
          : new ProtoMessage().string(Dimension.dimParam, dim);
      shape.message(TensorShape.dim, dimension);
    }
    tensorType.message(TensorType.shape, shape);
  }
  return new ProtoMessage()
    .string(ValueInfo.name, info.name)
    .message(ValueInfo.type, new ProtoMessage().message(TypeProto.tensorType, tensorType));
}
