import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import { buildT5DecoderGraph, buildT5EncoderGraph } from './t5-graph.js';
import { buildT5Vocabulary, t5SpecialTokens, t5TokenizerFiles } from './t5-tokenizer.js';

export interface T5Dimensions {
  /** Encoder blocks (`num_layers`). */
  readonly layers: number;
  /** Decoder blocks (`num_decoder_layers`). */
  readonly decoderLayers: number;
  /** `d_model`. */
  readonly hidden: number;
  readonly heads: number;
  /** `d_kv`. */
  readonly headDim: number;
  /** `d_ff`. */
  readonly feedForward: number;
  /** Default `relu` (original T5); `gated-gelu` is T5 v1.1 / flan-t5 (untied embeddings there). */
  readonly feedForwardProjection?: 'relu' | 'gated-gelu';
  /** Default true for `relu`, false for `gated-gelu`, as in the real checkpoints. */
  readonly tieWordEmbeddings?: boolean;
  /** `n_positions` and the tokenizer's `model_max_length`. */
  readonly maxPositions: number;
  /** Model rows, sentinels included; the tokenizer covers every row. Omitted: the small vocabulary. */
  readonly vocabularySize?: number;
  /** Sentinel tokens. Default 100. */
  readonly extraIds?: number;
}

export interface T5Options {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: T5Dimensions;
}

const layerNormEpsilon = 1e-6;
const relativeAttentionBuckets = 32;
const relativeAttentionMaxDistance = 128;

/** The task prefixes T5 was trained with, as its `config.json` lists them. */
const taskSpecificParams = {
  summarization: { early_stopping: true, length_penalty: 2.0, max_length: 200, min_length: 30, no_repeat_ngram_size: 3, num_beams: 4, prefix: 'summarize: ' },
  translation_en_to_de: { early_stopping: true, max_length: 300, num_beams: 4, prefix: 'translate English to German: ' },
  translation_en_to_fr: { early_stopping: true, max_length: 300, num_beams: 4, prefix: 'translate English to French: ' },
  translation_en_to_ro: { early_stopping: true, max_length: 300, num_beams: 4, prefix: 'translate English to Romanian: ' },
};

/**
 * A T5ForConditionalGeneration folder as transformers.js loads it: config, generation config,
 * Unigram tokenizer, `onnx/encoder_model.onnx` and `onnx/decoder_model_merged.onnx`, and their
 * int8 `_quantized` twins.
 */
export function t5Files({ id, dimensions }: T5Options): ForgeFile[] {
  const feedForwardProjection = dimensions.feedForwardProjection ?? 'relu';
  const tieWordEmbeddings = dimensions.tieWordEmbeddings ?? feedForwardProjection === 'relu';
  const vocabulary = buildT5Vocabulary({
    extraIds: dimensions.extraIds ?? 100,
    ...(dimensions.vocabularySize === undefined ? {} : { size: dimensions.vocabularySize }),
  });
  const vocabularySize = vocabulary.pieces.length;
  const tokenizer = t5TokenizerFiles({ vocabulary, modelMaxLength: dimensions.maxPositions });
  const padId = vocabulary.pieces.findIndex(([piece]) => piece === t5SpecialTokens.pad);
  const endOfSequenceId = vocabulary.pieces.findIndex(([piece]) => piece === t5SpecialTokens.endOfSequence);
  const graphDimensions = {
    ...dimensions,
    feedForwardProjection,
    tieWordEmbeddings,
    vocabularySize,
    relativeAttentionBuckets,
    relativeAttentionMaxDistance,
    layerNormEpsilon,
  };
  const encoder = buildT5EncoderGraph(id, graphDimensions);
  const decoder = buildT5DecoderGraph(id, graphDimensions);
  const docString = `${id}: T5ForConditionalGeneration with random weights`;
  const gated = feedForwardProjection === 'gated-gelu';
  const config = {
    architectures: ['T5ForConditionalGeneration'],
    d_ff: dimensions.feedForward,
    d_kv: dimensions.headDim,
    d_model: dimensions.hidden,
    decoder_start_token_id: padId,
    dense_act_fn: gated ? 'gelu_new' : 'relu',
    dropout_rate: 0.1,
    eos_token_id: endOfSequenceId,
    feed_forward_proj: feedForwardProjection,
    initializer_factor: 1.0,
    is_encoder_decoder: true,
    is_gated_act: gated,
    layer_norm_epsilon: layerNormEpsilon,
    model_type: 't5',
    n_positions: dimensions.maxPositions,
    num_decoder_layers: dimensions.decoderLayers,
    num_heads: dimensions.heads,
    num_layers: dimensions.layers,
    pad_token_id: padId,
    relative_attention_max_distance: relativeAttentionMaxDistance,
    relative_attention_num_buckets: relativeAttentionBuckets,
    task_specific_params: taskSpecificParams,
    tie_word_embeddings: tieWordEmbeddings,
    use_cache: true,
    vocab_size: vocabularySize,
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  const generationConfig = { decoder_start_token_id: padId, eos_token_id: endOfSequenceId, pad_token_id: padId };
  const model = (graph: typeof encoder, name: string) => ({
    path: `onnx/${name}.onnx`,
    content: onnxContent(createModel(graph, { docString })),
  });
  const quantized = (graph: typeof encoder, name: string) => ({
    path: `onnx/${name}_quantized.onnx`,
    content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })),
  });
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'generation_config.json', content: jsonContent(generationConfig) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    model(encoder, 'encoder_model'),
    model(decoder, 'decoder_model_merged'),
    quantized(encoder, 'encoder_model'),
    quantized(decoder, 'decoder_model_merged'),
  ];
}
