import type { BertDimensions } from './families/bert.js';
import { bertFiles } from './families/bert.js';
import type { Gpt2Dimensions } from './families/gpt2.js';
import { gpt2Files } from './families/gpt2.js';
import type { ForgeFile } from './files/file-content.js';
import { clipPresets } from './families/clip-presets.js';
import { t5Presets } from './families/t5-presets.js';
import { llamaPreset } from './families/llama.js';
import { llamaVariantPreset } from './families/llama-variants.js';
import { optPreset } from './families/opt.js';
import { whisperPreset } from './families/whisper.js';
import { llavaPresets } from './families/llava-presets.js';
import { clapWav2Vec2Presets } from './families/clap-wav2vec2-presets.js';
import { textClassificationPreset } from './families/text-classification.js';
import { textEncoderPreset } from './families/text-encoders.js';

export type ForgeSize = 'tiny' | 'full';

export interface Preset {
  readonly id: string;
  readonly family: string;
  readonly description: string;
  /** The folder's files; cheap to call, weights are produced only when a file is written. */
  files(size: ForgeSize): ForgeFile[];
}

const tinyBert: BertDimensions = { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 128 };
const tinyGpt2: Gpt2Dimensions = { layers: 2, hidden: 32, heads: 4, maxPositions: 128 };

function bertPreset(id: string, description: string, full: BertDimensions, sentenceTransformers = false): Preset {
  return {
    id,
    family: 'bert',
    description,
    files: (size) => bertFiles({ id, dimensions: size === 'tiny' ? tinyBert : full, sentenceTransformers }),
  };
}

function gpt2Preset(id: string, description: string, full: Gpt2Dimensions): Preset {
  return {
    id,
    family: 'gpt2',
    description,
    files: (size) => gpt2Files({ id, dimensions: size === 'tiny' ? tinyGpt2 : full }),
  };
}

export const presets: readonly Preset[] = [
  bertPreset(
    'onnx-community/bert-tiny-ONNX',
    'BERT encoder (BertModel); full: 2 layers, hidden 128, 2 heads, ffn 512, vocab 30522',
    { layers: 2, hidden: 128, heads: 2, intermediate: 512, maxPositions: 512, vocabularySize: 30522 },
  ),
  bertPreset(
    'Xenova/all-MiniLM-L6-v2',
    'sentence embeddings (BertModel + mean pooling files); full: 6 layers, hidden 384, 12 heads, ffn 1536, vocab 30522',
    { layers: 6, hidden: 384, heads: 12, intermediate: 1536, maxPositions: 512, vocabularySize: 30522 },
    true,
  ),
  textEncoderPreset(
    'Xenova/distilbert-base-uncased',
    'distilbert',
    'DistilBERT encoder (DistilBertModel, no token types) → last_hidden_state; full: 6 layers, dim 768, 12 heads, ffn 3072, vocab 30522',
    { layers: 6, hidden: 768, heads: 12, intermediate: 3072, maxPositions: 512, vocabularySize: 30522 },
  ),
  textEncoderPreset(
    'Xenova/all-distilroberta-v1',
    'roberta',
    'sentence embeddings on RoBERTa (RobertaModel: byte-level BPE, positions after padding_idx, + mean pooling files); full: 6 layers, hidden 768, 12 heads, ffn 3072, vocab 50265, 514 positions',
    { layers: 6, hidden: 768, heads: 12, intermediate: 3072, maxPositions: 514, vocabularySize: 50265 },
    true,
  ),
  textEncoderPreset(
    'Xenova/paraphrase-multilingual-mpnet-base-v2',
    'xlm-roberta',
    'multilingual sentence embeddings on XLM-RoBERTa (XLMRobertaModel: SentencePiece Unigram, + mean pooling files); full: 12 layers, hidden 768, 12 heads, ffn 3072, vocab 250002, 514 positions',
    { layers: 12, hidden: 768, heads: 12, intermediate: 3072, maxPositions: 514, vocabularySize: 250002 },
    true,
  ),
  textEncoderPreset(
    'Xenova/all-mpnet-base-v2',
    'mpnet',
    'sentence embeddings on MPNet (MPNetModel: relative position bias over 32 buckets, positions after padding_idx, WordPiece with <s> </s>, + mean pooling files); full: 12 layers, hidden 768, 12 heads, ffn 3072, vocab 30527, 514 positions',
    { layers: 12, hidden: 768, heads: 12, intermediate: 3072, maxPositions: 514, vocabularySize: 30527 },
    true,
  ),
  gpt2Preset(
    'Xenova/gpt2',
    'GPT-2 decoder with KV cache (GPT2LMHeadModel); full: 12 layers, hidden 768, 12 heads, vocab 50257, 1024 positions',
    { layers: 12, hidden: 768, heads: 12, maxPositions: 1024, vocabularySize: 50257 },
  ),
  optPreset(
    'Xenova/opt-125m',
    'OPT decoder with KV cache (OPTForCausalLM, positions from the attention mask + 2); full: 12 layers, hidden 768, 12 heads, ffn 3072, vocab 50272, 2048 positions',
    { layers: 12, hidden: 768, heads: 12, feedForward: 3072, maxPositions: 2048, tokenizerSize: 50265, vocabularySize: 50272 },
  ),
  llamaPreset(
    'HuggingFaceTB/SmolLM2-135M-Instruct',
    'LLaMA decoder with KV cache (LlamaForCausalLM: GQA, RoPE, RMSNorm, SwiGLU) and a ChatML chat template; full: 30 layers, hidden 576, 9 heads / 3 kv heads, head_dim 64, ffn 1536, vocab 49152',
    { layers: 30, hidden: 576, heads: 9, keyValueHeads: 3, headDim: 64, intermediate: 1536, maxPositions: 8192, ropeTheta: 100000, vocabularySize: 49152 },
  ),
  llamaVariantPreset(
    'onnx-community/Qwen2.5-0.5B-Instruct',
    'qwen2',
    'Qwen2 decoder with KV cache (Qwen2ForCausalLM: the LLaMA graph with q/k/v biases, tied head) and a ChatML template; full: 24 layers, hidden 896, 14 heads / 2 kv heads, ffn 4864, vocab 151936',
    { layers: 24, hidden: 896, heads: 14, keyValueHeads: 2, intermediate: 4864, maxPositions: 32768, ropeTheta: 1000000, bpePieces: 151643, vocabularySize: 151936 },
  ),
  llamaVariantPreset(
    'Felladrin/onnx-TinyMistral-248M-Chat-v2',
    'mistral',
    'Mistral decoder with KV cache (MistralForCausalLM: the LLaMA graph with sliding-window attention, 8 tokens at tiny size) and an [INST] template; full: 12 layers, hidden 1024, 32 heads / 8 kv heads, ffn 4096, window 32, vocab 32005',
    { layers: 12, hidden: 1024, heads: 32, keyValueHeads: 8, intermediate: 4096, maxPositions: 32768, ropeTheta: 10000, slidingWindow: 32, bpePieces: 32002, vocabularySize: 32005 },
  ),
  whisperPreset(
    'Xenova/whisper-tiny',
    'Whisper encoder + merged decoder with KV cache (WhisperForConditionalGeneration), multilingual (99 language tokens, transcribe/translate) with 1,501 timestamp tokens; full: d_model 384, 4+4 layers, 6 heads, ffn 1536, vocab 51865',
    { modelSize: 384, heads: 6, encoderLayers: 4, decoderLayers: 4, feedForwardSize: 1536, maxTargetPositions: 448, bpePieces: 50257 },
  ),
  textClassificationPreset(
    'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
    'DistilBertForSequenceClassification (SST-2 sentiment: NEGATIVE, POSITIVE) → logits; full: 6 layers, dim 768, 12 heads, ffn 3072, vocab 30522',
    { modelType: 'distilbert', labels: ['NEGATIVE', 'POSITIVE'], full: { layers: 6, hidden: 768, heads: 12, intermediate: 3072, maxPositions: 512, vocabularySize: 30522 } },
  ),
  ...llavaPresets,
  ...t5Presets,
  ...clapWav2Vec2Presets,
  ...clipPresets,
];

export function findPreset(id: string): Preset {
  const preset = presets.find((candidate) => candidate.id === id);
  if (preset === undefined) {
    throw new Error(`Unknown model id "${id}". Known ids: ${presets.map((candidate) => candidate.id).join(', ')}`);
  }
  return preset;
}
