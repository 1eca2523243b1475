import type { Preset } from '../presets.js';
import type { LlavaLanguageDimensions } from './llava-language.js';
import type { LlavaVisionDimensions } from './llava.js';
import { llavaFiles } from './llava.js';
import { llavaNextFiles, oneVisionGridPinpoints } from './llava-next.js';

const tinyText: LlavaLanguageDimensions = { layers: 2, hidden: 32, heads: 4, keyValueHeads: 2, intermediate: 64, maxPositions: 512, ropeTheta: 10_000, learnedMerges: 100 };
/** Qwen2-0.5B, the language model of llava-interleave-qwen-0.5b. */
const qwen2HalfBillion: LlavaLanguageDimensions = {
  layers: 24,
  hidden: 896,
  heads: 14,
  keyValueHeads: 2,
  intermediate: 4864,
  maxPositions: 32768,
  ropeTheta: 1_000_000,
  vocabularySize: 152000,
};

const tinySiglip: LlavaVisionDimensions = { style: 'siglip', imageSize: 32, patchSize: 8, hidden: 16, heads: 2, intermediate: 32, layers: 1, featureLayer: -1 };
/** SigLIP so400m/14 at 384 pixels, as llava-interleave-qwen-0.5b uses it (26 layers). */
const siglipSo400m: LlavaVisionDimensions = { style: 'siglip', imageSize: 384, patchSize: 14, hidden: 1152, heads: 16, intermediate: 4304, layers: 26, featureLayer: -1 };

/** The LLaVA and LLaVA-Next presets. */
export const llavaPresets: readonly Preset[] = [
  {
    id: 'llava-hf/llava-interleave-qwen-0.5b-hf',
    family: 'llava',
    description:
      'LLaVA (LlavaForConditionalGeneration: vision_encoder, embed_tokens, decoder_model_merged); full: SigLIP 384/14 (26 layers, 1152) + Qwen2-0.5B (24 layers, 896, 14 heads, 2 kv heads, vocab 152000)',
    files: (size) =>
      llavaFiles({
        id: 'llava-hf/llava-interleave-qwen-0.5b-hf',
        dimensions: size === 'tiny' ? { vision: tinySiglip, text: tinyText } : { vision: siglipSo400m, text: qwen2HalfBillion },
      }),
  },
  {
    id: 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf',
    family: 'llava-next',
    description:
      "LLaVA-OneVision as llava-hf's ONNX export lays it out (vision_encoder → image_features with image_newline appended per view, embed_tokens, decoder_model_merged; 36 grid pinpoints, anyres_max_9); full: SigLIP 384/14 (26 layers, 1152) + Qwen2-0.5B",
    files: (size) => {
      const vision = size === 'tiny' ? tinySiglip : siglipSo400m;
      return llavaNextFiles({
        id: 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf',
        dimensions: { vision, text: size === 'tiny' ? tinyText : qwen2HalfBillion, gridPinpoints: oneVisionGridPinpoints(vision.imageSize), visionAspectRatio: 'anyres_max_9' },
      });
    },
  },
];
