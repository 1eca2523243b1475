import type { ForgeFile } from '../files/file-content.js';
import { jsonContent, onnxContent } from '../files/file-content.js';
import type { GraphDefinition } from '../onnx/definitions.js';
import { createModel } from '../onnx/model.js';
import { quantizeWeights } from '../onnx/quantize.js';
import { buildByteLevelBpe, byteLevelBpeTokenizerFiles } from '../tokenizers/byte-level-bpe.js';
import type { LlavaTextGraphDimensions } from './llava-text-graph.js';
import { buildLlavaDecoderGraph, buildLlavaEmbedTokensGraph } from './llava-text-graph.js';

/** The Qwen2 language model inside a LLaVA or LLaVA-Next folder. */
export interface LlavaLanguageDimensions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly keyValueHeads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly ropeTheta?: number;
  /** Including the special tokens. Omitted: the small byte-level BPE vocabulary (a few hundred pieces). */
  readonly vocabularySize?: number;
  /** Merges learned from common English words for the small vocabulary (default 300). */
  readonly learnedMerges?: number;
}

export const imageToken = '<image>';
const endOfText = '<|endoftext|>';
const imStart = '<|im_start|>';
const imEnd = '<|im_end|>';
const specialTokens = [endOfText, imStart, imEnd, imageToken];
const rmsNormEpsilon = 1e-6;

/** ChatML, as Qwen2 writes it; images are `<image>` placeholders inside the message text. */
export const chatMlTemplate =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface LlavaLanguage {
  readonly textConfig: Record<string, unknown>;
  readonly imageTokenId: number;
  readonly vocabularySize: number;
  readonly graphDimensions: LlavaTextGraphDimensions;
  /** tokenizer.json, tokenizer_config.json, generation_config.json. */
  readonly files: ForgeFile[];
}

/** The tokenizer (byte-level BPE with ChatML and `<image>` tokens), text config and generation config. */
export function llavaLanguage(dimensions: LlavaLanguageDimensions, processorClass: string): LlavaLanguage {
  const bpe = buildByteLevelBpe({
    ...(dimensions.learnedMerges === undefined ? {} : { learnedMerges: dimensions.learnedMerges }),
    ...(dimensions.vocabularySize === undefined ? {} : { size: dimensions.vocabularySize - specialTokens.length }),
  });
  const vocabularySize = bpe.vocabulary.length + specialTokens.length;
  const [endOfTextId, , imEndId, imageTokenId] = specialTokens.map((_, index) => bpe.vocabulary.length + index) as [number, number, number, number];
  const tokenizer = byteLevelBpeTokenizerFiles({
    model: bpe,
    specialTokens,
    tokenizerConfig: {
      add_prefix_space: false,
      bos_token: null,
      chat_template: chatMlTemplate,
      clean_up_tokenization_spaces: false,
      eos_token: imEnd,
      errors: 'replace',
      model_max_length: dimensions.maxPositions,
      pad_token: endOfText,
      processor_class: processorClass,
      split_special_tokens: false,
      tokenizer_class: 'Qwen2Tokenizer',
      unk_token: null,
    },
  });
  const headDim = dimensions.hidden / dimensions.heads;
  const ropeTheta = dimensions.ropeTheta ?? 1_000_000;
  const textConfig = {
    architectures: ['Qwen2ForCausalLM'],
    bos_token_id: endOfTextId,
    eos_token_id: imEndId,
    head_dim: headDim,
    hidden_act: 'silu',
    hidden_size: dimensions.hidden,
    intermediate_size: dimensions.intermediate,
    max_position_embeddings: dimensions.maxPositions,
    model_type: 'qwen2',
    num_attention_heads: dimensions.heads,
    num_hidden_layers: dimensions.layers,
    num_key_value_heads: dimensions.keyValueHeads,
    rms_norm_eps: rmsNormEpsilon,
    rope_theta: ropeTheta,
    tie_word_embeddings: true,
    vocab_size: vocabularySize,
  };
  return {
    textConfig,
    imageTokenId,
    vocabularySize,
    graphDimensions: { ...dimensions, headDim, vocabularySize, rmsNormEpsilon, ropeTheta },
    files: [
      {
        path: 'generation_config.json',
        content: jsonContent({ bos_token_id: endOfTextId, eos_token_id: [imEndId, endOfTextId], pad_token_id: endOfTextId }),
      },
      { path: 'tokenizer.json', content: jsonContent(tokenizer.tokenizer) },
      { path: 'tokenizer_config.json', content: jsonContent(tokenizer.tokenizerConfig) },
    ],
  };
}

/** `onnx/<name>.onnx` and its int8 `onnx/<name>_quantized.onnx`. */
export function sessionFiles(name: string, graph: GraphDefinition, docString: string): ForgeFile[] {
  return [
    { path: `onnx/${name}.onnx`, content: onnxContent(createModel(graph, { docString })) },
    { path: `onnx/${name}_quantized.onnx`, content: onnxContent(createModel(quantizeWeights(graph), { docString: `${docString}, int8 dynamic quantization` })) },
  ];
}

/** `embed_tokens` and `decoder_model_merged`, each in fp32 and int8. */
export function llavaLanguageSessionFiles(id: string, language: LlavaLanguage, architecture: string): ForgeFile[] {
  return [
    ...sessionFiles('embed_tokens', buildLlavaEmbedTokensGraph(id, language.graphDimensions), `${id}: ${architecture} token embeddings with random weights`),
    ...sessionFiles('decoder_model_merged', buildLlavaDecoderGraph(id, language.graphDimensions), `${id}: ${architecture} Qwen2 decoder with random weights`),
  ];
}
