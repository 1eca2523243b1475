import type { ForgeFile } from '../files/file-content.js';
import type { Preset } from '../presets.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { buildWordPieceVocabulary, wordPieceTokenizerFiles } from '../tokenizers/wordpiece.js';
import type { BertDimensions } from './bert.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import type { TextClassificationModelType } from './text-classification-graph.js';
import { buildTextClassificationGraph } from './text-classification-graph.js';

export interface TextClassificationOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly modelType: TextClassificationModelType;
  readonly dimensions: BertDimensions;
  /** The labels, in logit order: `id2label`. */
  readonly labels: readonly string[];
  /** `multi_label_classification` makes transformers.js apply a sigmoid instead of a softmax. */
  readonly problemType?: 'single_label_classification' | 'multi_label_classification';
}

const layerNormEpsilon = 1e-12;
const typeVocabularySize = 2;

/** The encoder part of a bert or distilbert `config.json`. */
export function encoderConfig(modelType: TextClassificationModelType, dimensions: BertDimensions, vocabularySize: number): Record<string, unknown> {
  if (modelType === 'distilbert') {
    return {
      activation: 'gelu',
      attention_dropout: 0.1,
      dim: dimensions.hidden,
      dropout: 0.1,
      hidden_dim: dimensions.intermediate,
      initializer_range: 0.02,
      max_position_embeddings: dimensions.maxPositions,
      model_type: 'distilbert',
      n_heads: dimensions.heads,
      n_layers: dimensions.layers,
      pad_token_id: 0,
      qa_dropout: 0.1,
      seq_classif_dropout: 0.2,
      sinusoidal_pos_embds: false,
      tie_weights_: true,
      vocab_size: vocabularySize,
    };
  }
  return {
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
    vocab_size: vocabularySize,
  };
}

/**
 * A `BertForSequenceClassification` or `DistilBertForSequenceClassification` folder: config with
 * `id2label` / `label2id` (and `problem_type` when given), WordPiece tokenizer,
 * `onnx/model.onnx` and `onnx/model_quantized.onnx` (`logits` [batch_size, labels]).
 */
export function textClassificationFiles({ id, modelType, dimensions, labels, problemType }: TextClassificationOptions): ForgeFile[] {
  if (labels.length < 1) throw new Error('a text-classification model needs at least one label');
  const vocabulary = buildWordPieceVocabulary(dimensions.vocabularySize === undefined ? {} : { size: dimensions.vocabularySize });
  const tokenizer = wordPieceTokenizerFiles({ vocabulary, modelMaxLength: dimensions.maxPositions });
  const tokenizerConfig = modelType === 'distilbert' ? { ...tokenizer.tokenizerConfig, tokenizer_class: 'DistilBertTokenizer' } : tokenizer.tokenizerConfig;
  const graph = buildTextClassificationGraph(id, modelType, {
    ...dimensions,
    vocabularySize: vocabulary.length,
    typeVocabularySize,
    layerNormEpsilon,
    labels: labels.length,
  });
  const architecture = modelType === 'distilbert' ? 'DistilBertForSequenceClassification' : 'BertForSequenceClassification';
  const docString = `${id}: ${architecture} with random weights`;
  const config = {
    architectures: [architecture],
    ...encoderConfig(modelType, dimensions, vocabulary.length),
    id2label: Object.fromEntries(labels.map((label, index) => [String(index), label])),
    label2id: Object.fromEntries(labels.map((label, index) => [label, index])),
    ...(problemType === undefined ? {} : { problem_type: problemType }),
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizerConfig) },
    { path: 'onnx/model.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/model_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}

const tinyEncoder: BertDimensions = { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 128 };

/** A preset for `presets.ts`: tiny dimensions for tests, `full` for benchmarks; the same labels at both sizes. */
export function textClassificationPreset(
  id: string,
  description: string,
  options: Omit<TextClassificationOptions, 'id' | 'dimensions'> & { readonly full: BertDimensions },
): Preset {
  const { full, ...rest } = options;
  return {
    id,
    family: 'text-classification',
    description,
    files: (size) => textClassificationFiles({ id, ...rest, dimensions: size === 'tiny' ? tinyEncoder : full }),
  };
}
