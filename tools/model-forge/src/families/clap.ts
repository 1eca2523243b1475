import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import type { HtsatDimensions } from './clap-audio-encoder.js';
import { htsatHiddenSize } from './clap-audio-encoder.js';
import { buildClapGraph } from './clap-graph.js';
import { robertaTokenizerFiles } from './clap-tokenizer.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';

export interface ClapDimensions {
  readonly text: {
    readonly layers: number;
    readonly hidden: number;
    readonly heads: number;
    readonly intermediate: number;
    readonly maxPositions: number;
    /** Omitted: the small byte-level BPE vocabulary (a few hundred pieces). */
    readonly vocabularySize?: number;
  };
  readonly audio: Pick<HtsatDimensions, 'embedDim' | 'depths' | 'heads' | 'windowSize' | 'specSize'>;
  readonly projectionDim: number;
  /**
   * Seconds of audio per ClapFeatureExtractor window (`max_length_s`): 10 in the real model. The
   * audio tower resizes any number of frames to its 1024-step image, so a tiny model may use a
   * shorter window to keep feature extraction (whose cost grows with the window in transformers.js) cheap.
   */
  readonly windowSeconds: number;
}

export interface ClapOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: ClapDimensions;
}

const layerNormEpsilon = 1e-5;
const padTokenId = 1;
const logitScale = 1 / 0.07;
const sampleRate = 48_000;
const hopLength = 480;
const melBins = 64;
const patchSize = 4;

/** ClapFeatureExtractor settings of Xenova/clap-htsat-unfused (10 s windows at 48 kHz, 64 mel bins, hop 480 → [1, 1, 1001, 64]), for a window of `windowSeconds`. */
export function clapPreprocessorConfig(windowSeconds = 10): Record<string, unknown> {
  return {
    chunk_length_s: windowSeconds,
    feature_extractor_type: 'ClapFeatureExtractor',
    feature_size: melBins,
    fft_window_size: 1024,
    frequency_max: 14_000,
    frequency_min: 50,
    hop_length: hopLength,
    max_length_s: windowSeconds,
    n_fft: 1024,
    nb_frequency_bins: 513,
    nb_max_frames: (sampleRate * windowSeconds) / hopLength,
    nb_max_samples: sampleRate * windowSeconds,
    padding: 'repeatpad',
    padding_side: 'right',
    padding_value: 0,
    processor_class: 'ClapProcessor',
    return_attention_mask: false,
    sampling_rate: sampleRate,
    top_db: null,
    truncation: 'rand_trunc',
  };
}

/**
 * A ClapModel folder (Xenova/clap-htsat-unfused layout): config, RoBERTa tokenizer,
 * ClapFeatureExtractor `preprocessor_config.json`, `onnx/model.onnx` and `onnx/model_quantized.onnx`.
 */
export function clapFiles({ id, dimensions }: ClapOptions): ForgeFile[] {
  const tokenizer = robertaTokenizerFiles({
    modelMaxLength: dimensions.text.maxPositions - 2,
    ...(dimensions.text.vocabularySize === undefined ? {} : { vocabularySize: dimensions.text.vocabularySize }),
  });
  const audio: HtsatDimensions = { ...dimensions.audio, melBins, patchSize, mlpRatio: 4, layerNormEpsilon };
  const text = { ...dimensions.text, vocabularySize: tokenizer.vocabularySize, padTokenId, layerNormEpsilon };
  const graph = buildClapGraph(id, { text, audio, projectionDim: dimensions.projectionDim, logitScale });
  const docString = `${id}: ClapModel (RoBERTa text tower, HTSAT Swin audio tower) with random weights`;
  const config = {
    architectures: ['ClapModel'],
    audio_config: {
      depths: dimensions.audio.depths,
      enable_fusion: false,
      enable_patch_layer_norm: true,
      flatten_patch_embeds: true,
      hidden_act: 'gelu',
      hidden_size: htsatHiddenSize(audio),
      layer_norm_eps: layerNormEpsilon,
      mlp_ratio: 4,
      model_type: 'clap_audio_model',
      num_attention_heads: dimensions.audio.heads,
      num_mel_bins: melBins,
      patch_embed_input_channels: 1,
      patch_embeds_hidden_size: dimensions.audio.embedDim,
      patch_size: patchSize,
      patch_stride: [patchSize, patchSize],
      projection_dim: dimensions.projectionDim,
      projection_hidden_act: 'relu',
      spec_size: dimensions.audio.specSize,
      window_size: dimensions.audio.windowSize,
    },
    hidden_size: htsatHiddenSize(audio),
    logit_scale_init_value: logitScale,
    model_type: 'clap',
    projection_dim: dimensions.projectionDim,
    projection_hidden_act: 'relu',
    text_config: {
      bos_token_id: 0,
      eos_token_id: 2,
      hidden_act: 'gelu',
      hidden_size: dimensions.text.hidden,
      intermediate_size: dimensions.text.intermediate,
      layer_norm_eps: layerNormEpsilon,
      max_position_embeddings: dimensions.text.maxPositions,
      model_type: 'clap_text_model',
      num_attention_heads: dimensions.text.heads,
      num_hidden_layers: dimensions.text.layers,
      pad_token_id: padTokenId,
      projection_dim: dimensions.projectionDim,
      projection_hidden_act: 'relu',
      type_vocab_size: 1,
      vocab_size: tokenizer.vocabularySize,
    },
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'preprocessor_config.json', content: jsonContent(clapPreprocessorConfig(dimensions.windowSeconds)) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    { path: 'onnx/model.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/model_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}
