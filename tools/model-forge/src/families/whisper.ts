import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { buildByteLevelBpe, byteLevelBpeTokenizerFiles } from '../tokenizers/byte-level-bpe.js';
import { toByteLevel } from '../tokenizers/bytes-to-unicode.js';
import { forgeNote } from './forge-note.js';
import type { Preset } from '../presets.js';
import { buildWhisperDecoderGraph, buildWhisperEncoderGraph } from './whisper-graph.js';

export interface WhisperDimensions {
  readonly modelSize: number;
  readonly heads: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly feedForwardSize: number;
  readonly maxTargetPositions: number;
  /** Byte-level BPE pieces before the special tokens. Omitted: the small vocabulary (a few hundred pieces). */
  readonly bpePieces?: number;
}

export interface WhisperOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: WhisperDimensions;
  /** Language and task tokens (`lang_to_id`, `task_to_id`); false writes an English-only (`.en`) model. Default true. */
  readonly multilingual?: boolean;
  /** Also write the int8 `_quantized` files. Default true. */
  readonly quantized?: boolean;
}

/** Whisper's language codes in token order (`<|en|>` first), as in the multilingual checkpoints. */
export const whisperLanguageCodes: readonly string[] = [
  'en', 'zh', 'de', 'es', 'ru', 'ko', 'fr', 'ja', 'pt', 'tr', 'pl', 'ca', 'nl', 'ar', 'sv', 'it', 'id', 'hi', 'fi', 'vi',
  'he', 'uk', 'el', 'ms', 'cs', 'ro', 'da', 'hu', 'ta', 'no', 'th', 'ur', 'hr', 'bg', 'lt', 'la', 'mi', 'ml', 'cy', 'sk',
  'te', 'fa', 'lv', 'bn', 'sr', 'az', 'sl', 'kn', 'et', 'mk', 'br', 'eu', 'is', 'hy', 'ne', 'mn', 'bs', 'kk', 'sq', 'sw',
  'gl', 'mr', 'pa', 'si', 'km', 'sn', 'yo', 'so', 'af', 'oc', 'ka', 'be', 'tg', 'sd', 'gu', 'am', 'yi', 'lo', 'uz', 'fo',
  'ht', 'ps', 'tk', 'nn', 'mt', 'sa', 'lb', 'my', 'bo', 'tl', 'mg', 'as', 'tt', 'haw', 'ln', 'ha', 'ba', 'jw', 'su',
];

const endOfText = '<|endoftext|>';
const startOfTranscript = '<|startoftranscript|>';
const noTimestamps = '<|notimestamps|>';
const layerNormEpsilon = 1e-5;
const melBins = 80;
const maxSourcePositions = 1500;
/** 0.00 s … 30.00 s in steps of 0.02 s. */
const timestampCount = 1501;
const sampleRate = 16000;
const hopLength = 160;
const chunkSeconds = 30;
/** Symbols the real checkpoints never let Whisper emit (a subset of their `suppress_tokens`). */
const suppressedSymbols = ['"', '#', '(', ')', '*', '+', '/', ':', ';', '<', '=', '>', '@', '[', '\\', ']', '^', '_', '`', '{', '|', '}', '~'];

/** Special tokens after the BPE pieces, in the order of the real vocabulary. */
function specialTokens(multilingual: boolean): string[] {
  const languages = multilingual ? whisperLanguageCodes.map((code) => `<|${code}|>`) : [];
  return [endOfText, startOfTranscript, ...languages, '<|translate|>', '<|transcribe|>', '<|startoflm|>', '<|startofprev|>', '<|nocaptions|>', noTimestamps];
}

function timestampTokens(): string[] {
  return Array.from({ length: timestampCount }, (_, index) => `<|${(index * 0.02).toFixed(2)}|>`);
}

/**
 * A WhisperForConditionalGeneration folder as Xenova exports it: config, generation config
 * (multilingual: `lang_to_id`, `task_to_id`), WhisperFeatureExtractor preprocessor config,
 * byte-level BPE tokenizer with Whisper's special and 1,501 timestamp tokens,
 * `onnx/encoder_model.onnx` and `onnx/decoder_model_merged.onnx` (+ `_quantized` int8 copies).
 */
export function whisperFiles({ id, dimensions, multilingual = true, quantized = true }: WhisperOptions): ForgeFile[] {
  const bpe = buildByteLevelBpe(dimensions.bpePieces === undefined ? {} : { size: dimensions.bpePieces });
  const specials = specialTokens(multilingual);
  const timestamps = timestampTokens();
  const firstSpecial = bpe.vocabulary.length;
  const idOf = (token: string): number => {
    const index = specials.indexOf(token);
    if (index === -1) throw new Error(`no special token ${token}`);
    return firstSpecial + index;
  };
  const vocabularySize = firstSpecial + specials.length + timestamps.length;
  const tokenizerFiles = byteLevelBpeTokenizerFiles({
    model: bpe,
    specialTokens: specials,
    tokenizerConfig: {
      add_bos_token: false,
      add_prefix_space: false,
      bos_token: endOfText,
      clean_up_tokenization_spaces: true,
      eos_token: endOfText,
      errors: 'replace',
      model_max_length: 1024,
      pad_token: endOfText,
      processor_class: 'WhisperProcessor',
      return_attention_mask: false,
      tokenizer_class: 'WhisperTokenizer',
      unk_token: endOfText,
    },
  });
  // The timestamp tokens take the ids after <|notimestamps|>, where WhisperTokenizer looks for them.
  // They are not special tokens (as in the real tokenizer); they live in the BPE vocabulary, which
  // decodes them to `<|1.24|>` just as an added token would, in a tenth of the bytes.
  const model = tokenizerFiles.tokenizer.model as { vocab: Record<string, number> };
  const firstTimestamp = firstSpecial + specials.length;
  const tokenizer = {
    ...tokenizerFiles.tokenizer,
    model: { ...model, vocab: { ...model.vocab, ...Object.fromEntries(timestamps.map((token, index) => [token, firstTimestamp + index])) } },
  };

  const endOfTextId = idOf(endOfText);
  const startId = idOf(startOfTranscript);
  const translateId = idOf('<|translate|>');
  const transcribeId = idOf('<|transcribe|>');
  const noTimestampsId = idOf(noTimestamps);
  const spaceId = bpe.vocabulary.indexOf(toByteLevel(' '));
  const suppressTokens = [
    ...suppressedSymbols.map((symbol) => bpe.vocabulary.indexOf(toByteLevel(symbol))).filter((index) => index >= 0),
    translateId,
    transcribeId,
    idOf('<|startoflm|>'),
    idOf('<|startofprev|>'),
    idOf('<|nocaptions|>'),
  ];
  const graphDimensions = { ...dimensions, melBins, maxSourcePositions, vocabularySize, layerNormEpsilon };
  const encoder = buildWhisperEncoderGraph(id, graphDimensions);
  const decoder = buildWhisperDecoderGraph(id, graphDimensions);
  const docString = `${id}: WhisperForConditionalGeneration with random weights`;

  const config = {
    activation_dropout: 0,
    activation_function: 'gelu',
    architectures: ['WhisperForConditionalGeneration'],
    attention_dropout: 0,
    begin_suppress_tokens: [spaceId, endOfTextId],
    bos_token_id: endOfTextId,
    d_model: dimensions.modelSize,
    decoder_attention_heads: dimensions.heads,
    decoder_ffn_dim: dimensions.feedForwardSize,
    decoder_layerdrop: 0,
    decoder_layers: dimensions.decoderLayers,
    decoder_start_token_id: startId,
    dropout: 0,
    encoder_attention_heads: dimensions.heads,
    encoder_ffn_dim: dimensions.feedForwardSize,
    encoder_layerdrop: 0,
    encoder_layers: dimensions.encoderLayers,
    eos_token_id: endOfTextId,
    init_std: 0.02,
    is_encoder_decoder: true,
    max_length: dimensions.maxTargetPositions,
    max_source_positions: maxSourcePositions,
    max_target_positions: dimensions.maxTargetPositions,
    model_type: 'whisper',
    num_hidden_layers: dimensions.encoderLayers,
    num_mel_bins: melBins,
    pad_token_id: endOfTextId,
    scale_embedding: false,
    use_cache: true,
    vocab_size: vocabularySize,
    model_forge: forgeNote(
      quantized
        ? 'onnx/encoder_model_quantized.onnx and onnx/decoder_model_merged_quantized.onnx hold the same weights, MatMul weights and embedding tables in int8 (symmetric, per tensor); convolutions stay float32'
        : 'none: float32 files only',
    ),
  };
  const generationConfig = {
    begin_suppress_tokens: [spaceId, endOfTextId],
    bos_token_id: endOfTextId,
    decoder_start_token_id: startId,
    eos_token_id: endOfTextId,
    is_multilingual: multilingual,
    ...(multilingual
      ? {
          lang_to_id: Object.fromEntries(whisperLanguageCodes.map((code) => [`<|${code}|>`, idOf(`<|${code}|>`)])),
          task_to_id: { transcribe: transcribeId, translate: translateId },
        }
      : {}),
    max_initial_timestamp_index: 50,
    max_length: dimensions.maxTargetPositions,
    no_timestamps_token_id: noTimestampsId,
    pad_token_id: endOfTextId,
    prev_sot_token_id: idOf('<|startofprev|>'),
    return_timestamps: false,
    suppress_tokens: suppressTokens,
  };
  const preprocessorConfig = {
    chunk_length: chunkSeconds,
    feature_extractor_type: 'WhisperFeatureExtractor',
    feature_size: melBins,
    hop_length: hopLength,
    n_fft: 400,
    n_samples: chunkSeconds * sampleRate,
    nb_max_frames: (chunkSeconds * sampleRate) / hopLength,
    padding_side: 'right',
    padding_value: 0,
    processor_class: 'WhisperProcessor',
    return_attention_mask: false,
    sampling_rate: sampleRate,
  };
  const files: ForgeFile[] = [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'generation_config.json', content: jsonContent(generationConfig) },
    { path: 'preprocessor_config.json', content: jsonContent(preprocessorConfig) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizerFiles.tokenizerConfig) },
    { path: 'onnx/encoder_model.onnx', content: onnxContent(createModel(encoder, { docString: `${docString}, encoder` })) },
    { path: 'onnx/decoder_model_merged.onnx', content: onnxContent(createModel(decoder, { docString: `${docString}, merged decoder` })) },
  ];
  if (!quantized) return files;
  return [
    ...files,
    {
      path: 'onnx/encoder_model_quantized.onnx',
      content: onnxContent(createModel(quantizeWeights(encoder), { docString: `${docString}, encoder, int8 dynamic quantization` })),
    },
    {
      path: 'onnx/decoder_model_merged_quantized.onnx',
      content: onnxContent(
        createModel(quantizeWeights(buildWhisperDecoderGraph(id, graphDimensions, { storeTransposedHead: true })), {
          docString: `${docString}, merged decoder, int8 dynamic quantization`,
        }),
      ),
    },
  ];
}

const tinyWhisper: WhisperDimensions = { modelSize: 16, heads: 2, encoderLayers: 2, decoderLayers: 2, feedForwardSize: 64, maxTargetPositions: 448 };

/**
 * A preset for `presets.ts`: tiny dimensions for tests (float32 only, to keep the tiny presets
 * small: the int8 copies would add 240 KiB), `full` for benchmarks (float32 and int8).
 */
export function whisperPreset(id: string, description: string, full: WhisperDimensions, multilingual = true): Preset {
  return {
    id,
    family: 'whisper',
    description,
    files: (size) => whisperFiles({ id, dimensions: size === 'tiny' ? tinyWhisper : full, multilingual, quantized: size === 'full' }),
  };
}
