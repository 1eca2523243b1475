import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { buildByteLevelBpe } from '../tokenizers/byte-level-bpe.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import { leadingSpecialsBpeTokenizerFiles } from './leading-specials-bpe.js';
import { buildLlamaGraph } from './llama-graph.js';
import type { Preset } from '../presets.js';

export interface LlamaDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly keyValueHeads: number;
  readonly headDim: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly ropeTheta: number;
  /** Tokens, specials included. Omitted: the small byte-level BPE (a few hundred pieces). */
  readonly vocabularySize?: number;
}

export interface LlamaOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly dimensions: LlamaDimensions;
}

/** SmolLM2's specials come first: `<|endoftext|>` 0, `<|im_start|>` 1 (bos), `<|im_end|>` 2 (eos and pad). */
const specialTokens = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;
const beginId = 1;
const endId = 2;
const rmsNormEpsilon = 1e-5;

/** SmolLM2-Instruct's ChatML template, verbatim. */
export const chatMlTemplate =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/**
 * A LlamaForCausalLM folder in the layout of SmolLM2-Instruct: config (grouped-query attention,
 * explicit `head_dim`, RoPE, RMSNorm, SwiGLU, tied embeddings), generation config, byte-level BPE
 * tokenizer with a ChatML `chat_template`, fp32 and int8 ONNX.
 */
export function llamaFiles({ id, dimensions }: LlamaOptions): ForgeFile[] {
  const bpe = buildByteLevelBpe(dimensions.vocabularySize === undefined ? {} : { size: dimensions.vocabularySize - specialTokens.length });
  const vocabularySize = bpe.vocabulary.length + specialTokens.length;
  const tokenizer = leadingSpecialsBpeTokenizerFiles({
    model: bpe,
    specialTokens,
    tokenizerConfig: {
      add_prefix_space: false,
      additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
      bos_token: '<|im_start|>',
      chat_template: chatMlTemplate,
      clean_up_tokenization_spaces: false,
      eos_token: '<|im_end|>',
      model_max_length: dimensions.maxPositions,
      pad_token: '<|im_end|>',
      tokenizer_class: 'GPT2Tokenizer',
      unk_token: '<|endoftext|>',
      vocab_size: vocabularySize,
    },
  });
  const graph = buildLlamaGraph(id, { ...dimensions, vocabularySize, rmsNormEpsilon });
  const docString = `${id}: LlamaForCausalLM with random weights`;
  const config = {
    architectures: ['LlamaForCausalLM'],
    attention_bias: false,
    attention_dropout: 0,
    bos_token_id: beginId,
    eos_token_id: endId,
    head_dim: dimensions.headDim,
    hidden_act: 'silu',
    hidden_size: dimensions.hidden,
    initializer_range: 0.02,
    intermediate_size: dimensions.intermediate,
    max_position_embeddings: dimensions.maxPositions,
    mlp_bias: false,
    model_type: 'llama',
    num_attention_heads: dimensions.heads,
    num_hidden_layers: dimensions.layers,
    num_key_value_heads: dimensions.keyValueHeads,
    pad_token_id: endId,
    pretraining_tp: 1,
    rms_norm_eps: rmsNormEpsilon,
    rope_scaling: null,
    rope_theta: dimensions.ropeTheta,
    tie_word_embeddings: true,
    use_cache: true,
    vocab_size: vocabularySize,
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'generation_config.json', content: jsonContent({ bos_token_id: beginId, eos_token_id: endId, pad_token_id: endId }) },
    { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    { path: 'onnx/model.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/model_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}

const tinyLlama: LlamaDimensions = { layers: 2, hidden: 32, heads: 4, keyValueHeads: 2, headDim: 16, intermediate: 64, maxPositions: 256, ropeTheta: 10000 };

/** A preset for `presets.ts`: tiny dimensions (grouped-query attention, head_dim ≠ hidden / heads) for tests, `full` for benchmarks. */
export function llamaPreset(id: string, description: string, full: LlamaDimensions): Preset {
  return { id, family: 'llama', description, files: (size) => llamaFiles({ id, dimensions: size === 'tiny' ? tinyLlama : full }) };
}
