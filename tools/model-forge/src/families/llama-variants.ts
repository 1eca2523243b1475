import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { buildByteLevelBpe, byteLevelBpeTokenizerFiles } from '../tokenizers/byte-level-bpe.js';
import type { TokenizerFiles } from '../tokenizers/tokenizer-files.js';
import type { Preset } from '../presets.js';
import { dynamicQuantizationNote, forgeNote } from './forge-note.js';
import { leadingSpecialsBpeTokenizerFiles } from './leading-specials-bpe.js';
import type { LlamaGraphDimensions } from './llama-graph.js';
import { buildLlamaGraph } from './llama-graph.js';

/** Decoders that transformers.js runs as LLaMA-shaped graphs under another `model_type`. */
export type LlamaVariant = 'qwen2' | 'mistral';

export interface LlamaVariantDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly keyValueHeads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly ropeTheta: number;
  /** Byte-level BPE pieces, specials not included. Omitted: the small vocabulary (a few hundred pieces). */
  readonly bpePieces?: number;
  /** Rows of the embedding (`vocab_size`), at least the tokenizer's size (Qwen2.5 pads 151,665 tokens to 151,936). */
  readonly vocabularySize?: number;
  /** Mistral's `sliding_window`: each token attends to at most this many tokens, itself included. */
  readonly slidingWindow?: number;
}

/** Qwen2.5-Instruct's ChatML template without its tool-calling branch. */
export const qwenChatTemplate =
  "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}{%- for message in messages %}{%- if not (message['role'] == 'system' and loop.first) %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

/** Mistral-Instruct's `[INST]` template: user turns in `[INST] … [/INST]`, assistant turns closed with `</s>`. */
export const mistralChatTemplate =
  "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% elif message['role'] == 'system' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% endfor %}";

interface VariantParts {
  readonly tokenizer: TokenizerFiles;
  readonly tokenizerSize: number;
  readonly config: Record<string, unknown>;
  readonly generationConfig: Record<string, unknown>;
  readonly architecture: string;
  readonly graph: Omit<LlamaGraphDimensions, 'vocabularySize' | 'layers' | 'hidden' | 'heads' | 'keyValueHeads' | 'headDim' | 'intermediate' | 'ropeTheta'>;
}

/** Qwen2: byte-level BPE with ChatML specials after the pieces, biased q/k/v projections, tied head. */
function qwen2Parts(dimensions: LlamaVariantDimensions): VariantParts {
  const bpe = buildByteLevelBpe(dimensions.bpePieces === undefined ? {} : { size: dimensions.bpePieces });
  const specials = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
  const [endOfText, , endOfTurn] = specials.map((_, index) => bpe.vocabulary.length + index) as [number, number, number];
  const rmsNormEpsilon = 1e-6;
  return {
    tokenizer: byteLevelBpeTokenizerFiles({
      model: bpe,
      specialTokens: specials,
      tokenizerConfig: {
        add_prefix_space: false,
        additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
        bos_token: null,
        chat_template: qwenChatTemplate,
        clean_up_tokenization_spaces: false,
        eos_token: '<|im_end|>',
        errors: 'replace',
        model_max_length: dimensions.maxPositions,
        pad_token: '<|endoftext|>',
        split_special_tokens: false,
        tokenizer_class: 'Qwen2Tokenizer',
        unk_token: null,
      },
    }),
    tokenizerSize: bpe.vocabulary.length + specials.length,
    architecture: 'Qwen2ForCausalLM',
    config: {
      attention_dropout: 0,
      bos_token_id: endOfText,
      eos_token_id: endOfTurn,
      hidden_act: 'silu',
      max_window_layers: dimensions.layers,
      model_type: 'qwen2',
      rms_norm_eps: rmsNormEpsilon,
      sliding_window: dimensions.maxPositions,
      use_sliding_window: false,
    },
    generationConfig: { bos_token_id: endOfText, eos_token_id: [endOfTurn, endOfText], pad_token_id: endOfText },
    graph: { rmsNormEpsilon, attentionBias: true },
  };
}

/** Mistral: LLaMA's specials first (`<unk>` 0, `<s>` 1, `</s>` 2), `<s>` before every text, sliding-window attention. */
function mistralParts(dimensions: LlamaVariantDimensions): VariantParts {
  const specials = ['<unk>', '<s>', '</s>'] as const;
  const bpe = buildByteLevelBpe(dimensions.bpePieces === undefined ? {} : { size: dimensions.bpePieces });
  const rmsNormEpsilon = 1e-6;
  return {
    tokenizer: leadingSpecialsBpeTokenizerFiles({
      model: bpe,
      specialTokens: specials,
      prependToken: '<s>',
      tokenizerConfig: {
        add_bos_token: true,
        add_eos_token: false,
        bos_token: '<s>',
        chat_template: mistralChatTemplate,
        clean_up_tokenization_spaces: false,
        eos_token: '</s>',
        model_max_length: dimensions.maxPositions,
        pad_token: null,
        tokenizer_class: 'LlamaTokenizer',
        unk_token: '<unk>',
      },
    }),
    tokenizerSize: bpe.vocabulary.length + specials.length,
    architecture: 'MistralForCausalLM',
    config: {
      attention_dropout: 0,
      bos_token_id: 1,
      eos_token_id: 2,
      hidden_act: 'silu',
      model_type: 'mistral',
      rms_norm_eps: rmsNormEpsilon,
      sliding_window: dimensions.slidingWindow ?? null,
    },
    generationConfig: { bos_token_id: 1, eos_token_id: 2 },
    graph: { rmsNormEpsilon, ...(dimensions.slidingWindow === undefined ? {} : { slidingWindow: dimensions.slidingWindow }) },
  };
}

export interface LlamaVariantOptions {
  /** Seeds the weights. */
  readonly id: string;
  readonly variant: LlamaVariant;
  readonly dimensions: LlamaVariantDimensions;
}

/**
 * A `Qwen2ForCausalLM` or `MistralForCausalLM` folder in the layout of the hub's transformers.js
 * exports: config, generation config, byte-level BPE tokenizer with the family's specials and chat
 * template, `onnx/model.onnx` and `onnx/model_quantized.onnx` — the LLaMA graph (GQA, RoPE,
 * RMSNorm, SwiGLU, tied head) with the family's differences: Qwen2's q/k/v biases, Mistral's
 * sliding window.
 */
export function llamaVariantFiles({ id, variant, dimensions }: LlamaVariantOptions): ForgeFile[] {
  const parts = variant === 'qwen2' ? qwen2Parts(dimensions) : mistralParts(dimensions);
  const vocabularySize = Math.max(dimensions.vocabularySize ?? parts.tokenizerSize, parts.tokenizerSize);
  if (dimensions.hidden % dimensions.heads !== 0) throw new Error(`hidden size ${dimensions.hidden} is not divisible by ${dimensions.heads} heads`);
  const headDim = dimensions.hidden / dimensions.heads;
  const graph = buildLlamaGraph(id, { ...dimensions, ...parts.graph, headDim, vocabularySize });
  const docString = `${id}: ${parts.architecture} with random weights`;
  const config = {
    architectures: [parts.architecture],
    hidden_size: dimensions.hidden,
    initializer_range: 0.02,
    intermediate_size: dimensions.intermediate,
    max_position_embeddings: dimensions.maxPositions,
    num_attention_heads: dimensions.heads,
    num_hidden_layers: dimensions.layers,
    num_key_value_heads: dimensions.keyValueHeads,
    rope_theta: dimensions.ropeTheta,
    tie_word_embeddings: true,
    use_cache: true,
    vocab_size: vocabularySize,
    ...parts.config,
    model_forge: forgeNote(dynamicQuantizationNote),
  };
  return [
    { path: 'config.json', content: jsonContent(config) },
    { path: 'generation_config.json', content: jsonContent(parts.generationConfig) },
    { path: 'tokenizer.json', content: jsonContent(parts.tokenizer.tokenizer) },
    { path: 'tokenizer_config.json', content: jsonContent(parts.tokenizer.tokenizerConfig) },
    { path: 'onnx/model.onnx', content: onnxContent(createModel(graph, { docString })) },
    { path: 'onnx/model_quantized.onnx', content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}

const tiny: Record<LlamaVariant, LlamaVariantDimensions> = {
  qwen2: { layers: 2, hidden: 32, heads: 4, keyValueHeads: 2, intermediate: 64, maxPositions: 256, ropeTheta: 1000000 },
  // A window of 8 tokens, so tests see it cut attention off.
  mistral: { layers: 2, hidden: 32, heads: 4, keyValueHeads: 2, intermediate: 64, maxPositions: 256, ropeTheta: 10000, slidingWindow: 8 },
};

/** A preset for `presets.ts`: tiny dimensions for tests, `full` for benchmarks. */
export function llamaVariantPreset(id: string, variant: LlamaVariant, description: string, full: LlamaVariantDimensions): Preset {
  return { id, family: variant, description, files: (size) => llamaVariantFiles({ id, variant, dimensions: size === 'tiny' ? tiny[variant] : full }) };
}
