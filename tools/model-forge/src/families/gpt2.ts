import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { buildByteLevelBpe, byteLevelBpeTokenizerFiles } from '../tokenizers/byte-level-bpe.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import { buildGpt2Graph } from './gpt2-graph.js';

export interface Gpt2Dimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly maxPositions: number;
  /** Including `<|endoftext|>`. Omitted: the small byte-level BPE vocabulary (a few hundred pieces). */
  readonly vocabularySize?: number;
}

export interface Gpt2Options {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: Gpt2Dimensions;
}

const endOfText = '<|endoftext|>';
const layerNormEpsilon = 1e-5;

/** A GPT2LMHeadModel folder: config, generation config, byte-level BPE tokenizer, fp32 and int8 ONNX. */
export function gpt2Files({ id, dimensions }: Gpt2Options): ForgeFile[] {
  const bpe = buildByteLevelBpe(dimensions.vocabularySize === undefined ? {} : { size: dimensions.vocabularySize - 1 });
  const vocabularySize = bpe.vocabulary.length + 1;
  const endOfTextId = bpe.vocabulary.length;
  const tokenizer = byteLevelBpeTokenizerFiles({
    model: bpe,
    specialTokens: [endOfText],
    tokenizerConfig: {
      add_bos_token: false,
      add_prefix_space: false,
      bos_token: endOfText,
      clean_up_tokenization_spaces: false,
      eos_token: endOfText,
      errors: 'replace',
      model_max_length: dimensions.maxPositions,
      pad_token: null,
      tokenizer_class: 'GPT2Tokenizer',
      unk_token: endOfText,
    },
  });
  const graph = buildGpt2Graph(id, { ...dimensions, vocabularySize, layerNormEpsilon });
  const docString = `${id}: GPT2LMHeadModel with random weights`;
  const config = {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: endOfTextId,
    embd_pdrop: 0.1,
    eos_token_id: endOfTextId,
    initializer_range: 0.02,
    layer_norm_epsilon: layerNormEpsilon,
    model_type: 'gpt2',
    n_ctx: dimensions.maxPositions,
    n_embd: dimensions.hidden,
    n_head: dimensions.heads,
    n_inner: null,
    n_layer: dimensions.layers,
    n_positions: dimensions.maxPositions,
    resid_pdrop: 0.1,
    scale_attn_weights: true,
    use_cache: true,
    vocab_size: vocabularySize,
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'generation_config.json', content: jsonContent({ bos_token_id: endOfTextId, eos_token_id: endOfTextId }) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    { path: 'onnx/model.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/model_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}
