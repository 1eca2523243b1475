import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import { buildWav2Vec2Graph } from './wav2vec2-graph.js';

export interface Wav2Vec2Dimensions {
  /** Channels of every feature-encoder conv layer (512 in wav2vec2-base). */
  readonly convDim: number;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
}

export interface Wav2Vec2Options {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: Wav2Vec2Dimensions;
}

const layerNormEpsilon = 1e-5;
const convKernels = [10, 3, 3, 3, 3, 2, 2];
const convStrides = [5, 2, 2, 2, 2, 2, 2];
const positionKernel = 128;
const positionGroups = 16;

/** Xenova/wav2vec2-base-960h's character vocabulary: 4 specials, `|` as the word delimiter, 26 letters and `'`. */
export const wav2vec2Vocabulary: readonly string[] = ['<pad>', '<s>', '</s>', '<unk>', '|', ...'ETAONIHSRDLUMWCFGYPBVK\'XJQZ'];

/**
 * `tokenizer.json` as transformers.js's converter writes it for Wav2Vec2CTCTokenizer: a plain
 * vocabulary, one token per character, spaces normalised to `|`, and the CTC decoder (collapse
 * repeats, drop `<pad>`, `|` → space).
 */
function ctcTokenizerJson(): Record<string, unknown> {
  const vocabulary = Object.fromEntries(wav2vec2Vocabulary.map((token, id) => [token, id]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: wav2vec2Vocabulary
      .map((content, id) => ({ id, content }))
      .filter(({ content }) => content.startsWith('<') && content.endsWith('>'))
      .map(({ id, content }) => ({ id, content, single_word: false, lstrip: true, rstrip: true, normalized: false, special: true })),
    normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '|' },
    pre_tokenizer: { type: 'Split', pattern: { Regex: '' }, behavior: 'Isolated', invert: false },
    post_processor: null,
    decoder: { type: 'CTC', pad_token: '<pad>', word_delimiter_token: '|', cleanup: true },
    model: { vocab: vocabulary },
  };
}

/**
 * A Wav2Vec2ForCTC folder (Xenova/wav2vec2-base-960h layout): config, Wav2Vec2FeatureExtractor
 * `preprocessor_config.json`, CTC tokenizer (`tokenizer.json`, `tokenizer_config.json`, `vocab.json`),
 * `onnx/model.onnx` and `onnx/model_quantized.onnx`.
 */
export function wav2vec2Files({ id, dimensions }: Wav2Vec2Options): ForgeFile[] {
  const convDims = convKernels.map(() => dimensions.convDim);
  const graph = buildWav2Vec2Graph(id, {
    ...dimensions,
    convDims,
    convKernels,
    convStrides,
    positionKernel,
    positionGroups,
    vocabularySize: wav2vec2Vocabulary.length,
    layerNormEpsilon,
  });
  const docString = `${id}: Wav2Vec2ForCTC with random weights (outputs logits and last_hidden_state)`;
  const config = {
    architectures: ['Wav2Vec2ForCTC'],
    bos_token_id: 1,
    conv_bias: false,
    conv_dim: convDims,
    conv_kernel: convKernels,
    conv_stride: convStrides,
    do_stable_layer_norm: false,
    eos_token_id: 2,
    feat_extract_activation: 'gelu',
    feat_extract_norm: 'group',
    hidden_act: 'gelu',
    hidden_size: dimensions.hidden,
    intermediate_size: dimensions.intermediate,
    layer_norm_eps: layerNormEpsilon,
    model_type: 'wav2vec2',
    num_attention_heads: dimensions.heads,
    num_conv_pos_embedding_groups: positionGroups,
    num_conv_pos_embeddings: positionKernel,
    num_feat_extract_layers: convKernels.length,
    num_hidden_layers: dimensions.layers,
    pad_token_id: 0,
    vocab_size: wav2vec2Vocabulary.length,
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  const preprocessorConfig = {
    do_normalize: true,
    feature_extractor_type: 'Wav2Vec2FeatureExtractor',
    feature_size: 1,
    padding_side: 'right',
    padding_value: 0,
    processor_class: 'Wav2Vec2Processor',
    return_attention_mask: false,
    sampling_rate: 16_000,
  };
  const tokenizerConfig = {
    bos_token: '<s>',
    do_lower_case: false,
    eos_token: '</s>',
    pad_token: '<pad>',
    processor_class: 'Wav2Vec2Processor',
    tokenizer_class: 'Wav2Vec2CTCTokenizer',
    unk_token: '<unk>',
    word_delimiter_token: '|',
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'preprocessor_config.json', content: jsonContent(preprocessorConfig) },
    { path: 'tokenizer.json', content: jsonContent(ctcTokenizerJson()) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizerConfig) },
    { path: 'vocab.json', content: jsonContent(Object.fromEntries(wav2vec2Vocabulary.map((token, index) => [token, index]))) },
    { path: 'onnx/model.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/model_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}
