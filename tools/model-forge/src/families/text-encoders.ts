import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import type { TokenizerFiles } from '../tokenizers/tokenizer-files.js';
import { buildWordPieceVocabulary, wordPieceTokenizerFiles } from '../tokenizers/wordpiece.js';
import type { Preset } from '../presets.js';
import type { BertDimensions } from './bert.js';
import { buildBertEncoder } from './bert-graph.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import { Parameters } from './parameters.js';
import { mpnetTokenizerFiles, robertaPaddingIndex, robertaTokenizerFiles, xlmRobertaTokenizerFiles } from './roberta-tokenizers.js';
import { sentenceTransformersFiles } from './sentence-transformers.js';
import { encoderConfig } from './text-classification.js';

/** BERT-shaped encoders (besides `bert` itself, see bert.ts) that the forge writes as feature extractors. */
export type TextEncoderModelType = 'distilbert' | 'roberta' | 'xlm-roberta' | 'mpnet';

export interface TextEncoderOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly modelType: TextEncoderModelType;
  /** `maxPositions` is `max_position_embeddings`: RoBERTa's is the context plus 2 (positions start after `padding_idx`). */
  readonly dimensions: BertDimensions;
  /** Also write the sentence-transformers module files (mean pooling, normalization). */
  readonly sentenceTransformers?: boolean;
}

const architectures: Record<TextEncoderModelType, string> = { distilbert: 'DistilBertModel', roberta: 'RobertaModel', 'xlm-roberta': 'XLMRobertaModel', mpnet: 'MPNetModel' };

/** MPNet's `relative_attention_num_buckets` and its (fixed) maximum distance. */
const mpnetRelativeAttention = { buckets: 32, maxDistance: 128 };

/**
 * The feature-extraction export of a DistilBERT, RoBERTa, XLM-RoBERTa or MPNet encoder: `input_ids`,
 * `attention_mask` [batch_size, sequence_length] (no `token_type_ids`, as optimum exports them) →
 * `last_hidden_state` [batch_size, sequence_length, hidden]. BERT's post-LayerNorm layers with
 * exact GELU; RoBERTa, XLM-R and MPNet count positions from `padding_idx` + 1 over the non-padding
 * tokens; MPNet adds its relative position bias (shared by all layers) to the attention scores.
 */
export function buildTextEncoderGraph(seed: string, modelType: TextEncoderModelType, dimensions: BertDimensions & { vocabularySize: number }): GraphDefinition {
  const graph = new GraphBuilder();
  const parameters = new Parameters(graph, seed);
  const robertaLike = modelType !== 'distilbert';
  const hiddenStates = buildBertEncoder(
    graph,
    parameters,
    { ...dimensions, typeVocabularySize: 1, layerNormEpsilon: robertaLike ? 1e-5 : 1e-12 },
    {
      tokenTypeIds: false,
      ...(robertaLike ? { paddingIndex: robertaPaddingIndex } : {}),
      ...(modelType === 'mpnet' ? { relativeAttention: mpnetRelativeAttention } : {}),
    },
  );
  graph.output(hiddenStates, 'last_hidden_state', 'float32', ['batch_size', 'sequence_length', dimensions.hidden]);
  return graph.build();
}

function robertaConfig(modelType: 'roberta' | 'xlm-roberta' | 'mpnet', dimensions: BertDimensions, vocabularySize: number): Record<string, unknown> {
  return {
    attention_probs_dropout_prob: 0.1,
    bos_token_id: 0,
    classifier_dropout: null,
    eos_token_id: 2,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: dimensions.hidden,
    initializer_range: 0.02,
    intermediate_size: dimensions.intermediate,
    layer_norm_eps: 1e-5,
    max_position_embeddings: dimensions.maxPositions,
    model_type: modelType,
    num_attention_heads: dimensions.heads,
    num_hidden_layers: dimensions.layers,
    pad_token_id: robertaPaddingIndex,
    ...(modelType === 'mpnet'
      ? { relative_attention_num_buckets: mpnetRelativeAttention.buckets }
      : { position_embedding_type: 'absolute', type_vocab_size: 1, use_cache: true }),
    vocab_size: vocabularySize,
  };
}

function tokenizerFor(modelType: TextEncoderModelType, dimensions: BertDimensions): { files: TokenizerFiles; size: number } {
  if (modelType === 'distilbert') {
    const vocabulary = buildWordPieceVocabulary(dimensions.vocabularySize === undefined ? {} : { size: dimensions.vocabularySize });
    const files = wordPieceTokenizerFiles({ vocabulary, modelMaxLength: dimensions.maxPositions });
    return { files: { ...files, tokenizerConfig: { ...files.tokenizerConfig, tokenizer_class: 'DistilBertTokenizer' } }, size: vocabulary.length };
  }
  const options = { ...(dimensions.vocabularySize === undefined ? {} : { size: dimensions.vocabularySize }), modelMaxLength: dimensions.maxPositions - 2 };
  const files = modelType === 'roberta' ? robertaTokenizerFiles(options) : modelType === 'mpnet' ? mpnetTokenizerFiles(options) : xlmRobertaTokenizerFiles(options);
  const vocabulary = (files.tokenizer.model as { vocab: Record<string, number> | unknown[] }).vocab;
  return { files, size: Array.isArray(vocabulary) ? vocabulary.length : Object.keys(vocabulary).length };
}

/** A DistilBertModel, RobertaModel, XLMRobertaModel or MPNetModel folder: config, tokenizer, fp32 and int8 ONNX (+ sentence-transformers files). */
export function textEncoderFiles({ id, modelType, dimensions, sentenceTransformers = false }: TextEncoderOptions): ForgeFile[] {
  const tokenizer = tokenizerFor(modelType, dimensions);
  const graph = buildTextEncoderGraph(id, modelType, { ...dimensions, vocabularySize: tokenizer.size });
  const architecture = architectures[modelType];
  const docString = `${id}: ${architecture} with random weights`;
  const config = {
    architectures: [architecture],
    ...(modelType === 'distilbert' ? encoderConfig('distilbert', dimensions, tokenizer.size) : robertaConfig(modelType, dimensions, tokenizer.size)),
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  const contextLength = modelType === 'distilbert' ? dimensions.maxPositions : dimensions.maxPositions - 2;
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.files.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.files.tokenizerConfig) },
    ...(sentenceTransformers ? sentenceTransformersFiles(dimensions.hidden, Math.min(256, contextLength)) : []),
    { path: 'onnx/model.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/model_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}

const tinyEncoder: Record<TextEncoderModelType, BertDimensions> = {
  distilbert: { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 128 },
  roberta: { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 130 },
  'xlm-roberta': { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 130 },
  mpnet: { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 130 },
};

/** A preset for `presets.ts`: tiny dimensions for tests, `full` for benchmarks. */
export function textEncoderPreset(id: string, modelType: TextEncoderModelType, description: string, full: BertDimensions, sentenceTransformers = false): Preset {
  return {
    id,
    family: modelType,
    description,
    files: (size) => textEncoderFiles({ id, modelType, dimensions: size === 'tiny' ? tinyEncoder[modelType] : full, sentenceTransformers }),
  };
}
