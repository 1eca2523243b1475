import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { buildByteLevelBpe } from '../tokenizers/byte-level-bpe.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import { leadingSpecialsBpeTokenizerFiles } from './leading-specials-bpe.js';
import { buildOptGraph } from './opt-graph.js';
import type { Preset } from '../presets.js';

export interface OptDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  /** Width of the feed-forward layer (`ffn_dim`); opt-125m: 4 × hidden. */
  readonly feedForward: number;
  readonly maxPositions: number;
  /** Tokens the tokenizer knows, specials included. Omitted: the small byte-level BPE (a few hundred pieces). */
  readonly tokenizerSize?: number;
  /** Rows of the embedding (`vocab_size`), at least the tokenizer's size (opt-125m pads 50265 to 50272). */
  readonly vocabularySize?: number;
}

export interface OptOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: OptDimensions;
}

/** OPT numbers its specials first: `<s>` 0, `<pad>` 1, `</s>` 2 (bos and eos), `<unk>` 3. */
const specialTokens = ['<s>', '<pad>', '</s>', '<unk>'] as const;
const padTokenId = 1;
const endOfSequenceId = 2;

/**
 * An OPTForCausalLM folder: config, generation config, GPT-2 byte-level BPE tokenizer that puts
 * `</s>` before every text (as OPT's does), fp32 and int8 ONNX.
 */
export function optFiles({ id, dimensions }: OptOptions): ForgeFile[] {
  const bpe = buildByteLevelBpe(dimensions.tokenizerSize === undefined ? {} : { size: dimensions.tokenizerSize - specialTokens.length });
  const tokenizerSize = bpe.vocabulary.length + specialTokens.length;
  const vocabularySize = Math.max(dimensions.vocabularySize ?? tokenizerSize, tokenizerSize);
  const tokenizer = leadingSpecialsBpeTokenizerFiles({
    model: bpe,
    specialTokens,
    prependToken: '</s>',
    tokenizerConfig: {
      add_bos_token: true,
      add_prefix_space: false,
      bos_token: '</s>',
      clean_up_tokenization_spaces: false,
      eos_token: '</s>',
      errors: 'replace',
      model_max_length: dimensions.maxPositions,
      pad_token: '<pad>',
      tokenizer_class: 'GPT2Tokenizer',
      unk_token: '</s>',
    },
  });
  const graph = buildOptGraph(id, { ...dimensions, vocabularySize });
  const docString = `${id}: OPTForCausalLM with random weights`;
  const config = {
    _remove_final_layer_norm: false,
    activation_dropout: 0,
    activation_function: 'relu',
    architectures: ['OPTForCausalLM'],
    attention_dropout: 0,
    bos_token_id: endOfSequenceId,
    do_layer_norm_before: true,
    dropout: 0.1,
    enable_bias: true,
    eos_token_id: endOfSequenceId,
    ffn_dim: dimensions.feedForward,
    hidden_size: dimensions.hidden,
    init_std: 0.02,
    layer_norm_elementwise_affine: true,
    layerdrop: 0,
    max_position_embeddings: dimensions.maxPositions,
    model_type: 'opt',
    num_attention_heads: dimensions.heads,
    num_hidden_layers: dimensions.layers,
    pad_token_id: padTokenId,
    prefix: '</s>',
    use_cache: true,
    vocab_size: vocabularySize,
    word_embed_proj_dim: dimensions.hidden,
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    {
      path: 'generation_config.json',
      content: jsonContent({ bos_token_id: endOfSequenceId, eos_token_id: endOfSequenceId, pad_token_id: padTokenId }),
    },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    // Named as in Xenova/opt-125m's export (an older transformers.js layout): the merged decoder.
    { path: 'onnx/decoder_model_merged.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/decoder_model_merged_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}

const tinyOpt: OptDimensions = { layers: 2, hidden: 32, heads: 4, feedForward: 128, maxPositions: 128 };

/** A preset for `presets.ts`: tiny dimensions for tests, `full` for benchmarks. */
export function optPreset(id: string, description: string, full: OptDimensions): Preset {
  return { id, family: 'opt', description, files: (size) => optFiles({ id, dimensions: size === 'tiny' ? tinyOpt : full }) };
}
