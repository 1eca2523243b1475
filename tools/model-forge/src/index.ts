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
export type { BertEncoderOptions } from './families/bert-graph.js';
export { bertPooler, buildBertEncoder, buildBertGraph } from './families/bert-graph.js';
export type { TextClassificationOptions } from './families/text-classification.js';
export { textClassificationFiles, textClassificationPreset } from './families/text-classification.js';
export type { TextClassificationGraphDimensions, TextClassificationModelType } from './families/text-classification-graph.js';
export { buildTextClassificationGraph } from './families/text-classification-graph.js';
export type { Gpt2Dimensions, Gpt2Options } from './families/gpt2.js';
export { gpt2Files } from './families/gpt2.js';
export type { Gpt2GraphDimensions } from './families/gpt2-graph.js';
export { buildGpt2Graph } from './families/gpt2-graph.js';
export type { OptDimensions, OptOptions } from './families/opt.js';
export { optFiles, optPreset } from './families/opt.js';
export type { OptGraphDimensions } from './families/opt-graph.js';
export { buildOptGraph, optPositionOffset } from './families/opt-graph.js';
export type { LlamaDimensions, LlamaOptions } from './families/llama.js';
export { chatMlTemplate, llamaFiles, llamaPreset } from './families/llama.js';
export type { LlamaGraphDimensions } from './families/llama-graph.js';
export { buildLlamaGraph } from './families/llama-graph.js';
export type { LeadingSpecialsBpeOptions } from './families/leading-specials-bpe.js';
export { leadingSpecialsBpeTokenizerFiles } from './families/leading-specials-bpe.js';
export type { WhisperDimensions, WhisperOptions } from './families/whisper.js';
export { whisperFiles, whisperLanguageCodes, whisperPreset } from './families/whisper.js';
export type { WhisperDecoderGraphOptions, WhisperGraphDimensions } from './families/whisper-graph.js';
export { buildWhisperDecoderGraph, buildWhisperEncoderGraph } from './families/whisper-graph.js';

export type { LlavaDimensions, LlavaOptions, LlavaVisionDimensions } from './families/llava.js';
export { llavaFiles } from './families/llava.js';
export type { LlavaNextDimensions, LlavaNextOptions } from './families/llava-next.js';
export { llavaNextFiles, oneVisionGridPinpoints } from './families/llava-next.js';
export type { LlavaLanguageDimensions } from './families/llava-language.js';
export type { LlavaVisionGraphDimensions, VisionTowerStyle } from './families/llava-vision-graph.js';
export { buildLlavaVisionGraph } from './families/llava-vision-graph.js';
export type { LlavaTextGraphDimensions } from './families/llava-text-graph.js';
export { buildLlavaDecoderGraph, buildLlavaEmbedTokensGraph } from './families/llava-text-graph.js';
export type { T5Dimensions, T5Options } from './families/t5.js';
export { t5Files } from './families/t5.js';
export { t5Presets } from './families/t5-presets.js';
export type { T5GraphDimensions } from './families/t5-graph.js';
export { buildT5DecoderGraph, buildT5EncoderGraph } from './families/t5-graph.js';
export type { T5Vocabulary, T5VocabularyOptions, T5TokenizerOptions } from './families/t5-tokenizer.js';
export { buildT5Vocabulary, t5SpecialTokens, t5TokenizerFiles } from './families/t5-tokenizer.js';
export type { ClapDimensions, ClapOptions } from './families/clap.js';
export { clapFiles, clapPreprocessorConfig } from './families/clap.js';
export type { ClapGraphDimensions } from './families/clap-graph.js';
export { buildClapGraph } from './families/clap-graph.js';
export type { HtsatDimensions } from './families/clap-audio-encoder.js';
export { buildHtsatEncoder, htsatHiddenSize } from './families/clap-audio-encoder.js';
export type { RobertaDimensions } from './families/clap-text-encoder.js';
export { buildRobertaEncoder } from './families/clap-text-encoder.js';
export type { RobertaTokenizerOptions } from './families/clap-tokenizer.js';
export { robertaSpecialTokens, robertaTokenizerFiles } from './families/clap-tokenizer.js';
export type { Wav2Vec2Dimensions, Wav2Vec2Options } from './families/wav2vec2.js';
export { wav2vec2Files, wav2vec2Vocabulary } from './families/wav2vec2.js';
export type { Wav2Vec2GraphDimensions } from './families/wav2vec2-graph.js';
export { buildWav2Vec2Graph, wav2vec2FrameCount } from './families/wav2vec2-graph.js';
export { clapWav2Vec2Presets } from './families/clap-wav2vec2-presets.js';
export type { ClipDimensions, ClipOptions } from './families/clip.js';
export { clipFiles, clipImageProcessorConfig } from './families/clip.js';
export { clipPresetDimensions } from './families/clip-presets.js';
export type { ClipEncoderDimensions, ClipTextDimensions, ClipVisionDimensions } from './families/clip-encoder.js';
export type { ClipGraphDimensions } from './families/clip-graph.js';
export { buildClipGraph, buildClipTextGraph, buildClipVisionGraph, trainedClipLogitScale } from './families/clip-graph.js';
export type { ClipBpe } from './families/clip-tokenizer.js';
export { buildClipBpe, clipTokenizerFiles } from './families/clip-tokenizer.js';
export type { XclipDimensions, XclipOptions } from './families/xclip.js';
export { xclipFiles } from './families/xclip.js';
export type { XclipGraphDimensions } from './families/xclip-graph.js';
export { buildXclipPromptGraph, buildXclipTextGraph, buildXclipVisionGraph } from './families/xclip-graph.js';
export type { TokenizerFiles } from './tokenizers/tokenizer-files.js';
export type { WordPieceTokenizerOptions, WordPieceVocabularyOptions } from './tokenizers/wordpiece.js';
export { bertSpecialTokens, buildWordPieceVocabulary, wordPieceTokenizerFiles } from './tokenizers/wordpiece.js';
export type { ByteLevelBpeModel, ByteLevelBpeModelOptions, ByteLevelBpeTokenizerOptions } from './tokenizers/byte-level-bpe.js';
export { buildByteLevelBpe, byteLevelBpeTokenizerFiles } from './tokenizers/byte-level-bpe.js';
export { byteLevelAlphabet, toByteLevel } from './tokenizers/bytes-to-unicode.js';
