import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { buildWordPieceVocabulary, wordPieceTokenizerFiles } from '../tokenizers/wordpiece.js';
import { buildBertGraph } from './bert-graph.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import { sentenceTransformersFiles } from './sentence-transformers.js';

export interface BertDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  /** Omitted: the small WordPiece vocabulary (a few hundred pieces). */
  readonly vocabularySize?: number;
}

export interface BertOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: BertDimensions;
  /** Also write the sentence-transformers module files (mean pooling, normalization). */
  readonly sentenceTransformers?: boolean;
}

const layerNormEpsilon = 1e-12;
const typeVocabularySize = 2;

/** A BertModel folder: config, WordPiece tokenizer, `onnx/model.onnx` and `onnx/model_quantized.onnx`. */
export function bertFiles({ id, dimensions, sentenceTransformers = false }: BertOptions): ForgeFile[] {
  const vocabulary = buildWordPieceVocabulary(dimensions.vocabularySize === undefined ? {} : { size: dimensions.vocabularySize });
  const tokenizer = wordPieceTokenizerFiles({ vocabulary, modelMaxLength: dimensions.maxPositions });
  const graph = buildBertGraph(id, { ...dimensions, vocabularySize: vocabulary.length, typeVocabularySize, layerNormEpsilon });
  const docString = `${id}: BertModel with random weights`;
  const config = {
    architectures: ['BertModel'],
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: dimensions.hidden,
    initializer_range: 0.02,
    intermediate_size: dimensions.intermediate,
    layer_norm_eps: layerNormEpsilon,
    max_position_embeddings: dimensions.maxPositions,
    model_type: 'bert',
    num_attention_heads: dimensions.heads,
    num_hidden_layers: dimensions.layers,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    type_vocab_size: typeVocabularySize,
    use_cache: true,
    vocab_size: vocabulary.length,
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    ...(sentenceTransformers ? sentenceTransformersFiles(dimensions.hidden, Math.min(256, dimensions.maxPositions)) : []),
    { path: 'onnx/model.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/model_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}
