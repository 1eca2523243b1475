export type { ForgeOptions, ForgeProgressEvent, ForgedModel } from './forge.js';
export { forgeModel, listPresets, presetIds } from './forge.js';
export type { ForgeSize, Preset } from './presets.js';

export type { Dim, TensorDataType } from './onnx/data-types.js';
export type {
  AttributeDefinition,
  AttributeValue,
  GraphDefinition,
  ModelDefinition,
  NodeDefinition,
  TensorDefinition,
  ValueInfoDefinition,
} from './onnx/definitions.js';
export * as attribute from './onnx/attributes.js';
export type { Attributes, OpOptions } from './onnx/graph-builder.js';
export { GraphBuilder, Value } from './onnx/graph-builder.js';
export type { ModelOptions } from './onnx/model.js';
export { createModel, defaultIrVersion, defaultOpsetVersion } from './onnx/model.js';
export { encodeModel } from './onnx/encode-model.js';
export { quantizeWeights } from './onnx/quantize.js';
export type { Chunk, DeferredBytes } from './onnx/protobuf.js';
export { SeededRandom } from './onnx/random.js';
export type { TensorData } from './onnx/tensor-data.js';
export {
  boolValues,
  filledFloat32,
  float32Values,
  float32View,
  int32Values,
  int64Values,
  int8Values,
  transposedFloat32,
  uint8Values,
  uniformFloat32,
} from './onnx/tensor-data.js';

export type { FileContent, ForgeFile } from './files/file-content.js';
export { jsonContent, onnxContent } from './files/file-content.js';
export { writeFileAtomically } from './files/write-file.js';

export { Parameters } from './families/parameters.js';
export { gelu, geluTanh, layerNorm, linear, maskedScore, mergeHeads, scaledDotProductAttention, splitHeads } from './families/layers.js';
export { causalAttentionMask } from './families/causal-mask.js';
export type { BertDimensions, BertOptions } from './families/bert.js';
export { bertFiles } from './families/bert.js';
export type { BertGraphDimensions } from './families/bert-graph.js';
export { buildBertGraph } from './families/bert-graph.js';
export type { Gpt2Dimensions, Gpt2Options } from './families/gpt2.js';
export { gpt2Files } from './families/gpt2.js';
export type { Gpt2GraphDimensions } from './families/gpt2-graph.js';
export { buildGpt2Graph } from './families/gpt2-graph.js';

export type { TokenizerFiles } from './tokenizers/tokenizer-files.js';
export type { WordPieceTokenizerOptions, WordPieceVocabularyOptions } from './tokenizers/wordpiece.js';
export { bertSpecialTokens, buildWordPieceVocabulary, wordPieceTokenizerFiles } from './tokenizers/wordpiece.js';
export type { ByteLevelBpeModel, ByteLevelBpeModelOptions, ByteLevelBpeTokenizerOptions } from './tokenizers/byte-level-bpe.js';
export { buildByteLevelBpe, byteLevelBpeTokenizerFiles } from './tokenizers/byte-level-bpe.js';
export { byteLevelAlphabet, toByteLevel } from './tokenizers/bytes-to-unicode.js';
