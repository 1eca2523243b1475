import type { Preset } from '../presets.js';
import type { ClipDimensions } from './clip.js';
import { clipFiles } from './clip.js';
import type { XclipDimensions } from './xclip.js';
import { xclipFiles } from './xclip.js';

const tinyText: ClipDimensions['text'] = { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 77 };
const tinyVision: ClipDimensions['vision'] = { layers: 2, hidden: 32, heads: 4, intermediate: 64, imageSize: 32, patchSize: 16 };
const fullText: ClipDimensions['text'] = { layers: 12, hidden: 512, heads: 8, intermediate: 2048, maxPositions: 77, vocabularySize: 49408 };
const fullVision: ClipDimensions['vision'] = { layers: 12, hidden: 768, heads: 12, intermediate: 3072, imageSize: 224, patchSize: 32 };

/** The dimensions of the `Xenova/clip-vit-base-patch32` preset, per size. */
export const clipPresetDimensions: { readonly tiny: ClipDimensions; readonly full: ClipDimensions } = {
  tiny: { text: tinyText, vision: tinyVision, projection: 32 },
  full: { text: fullText, vision: fullVision, projection: 512 },
};

const tinyXclip: XclipDimensions = {
  text: tinyText,
  vision: { ...tinyVision, frames: 8 },
  mit: { layers: 1, heads: 4, intermediate: 64 },
  prompt: { layers: 2, heads: 4 },
  projection: 32,
};
const fullXclip: XclipDimensions = {
  text: fullText,
  vision: { ...fullVision, frames: 8 },
  mit: { layers: 1, heads: 8, intermediate: 2048 },
  prompt: { layers: 2, heads: 8 },
  projection: 512,
};

/**
 * CLIP ViT-B/32 and X-CLIP base/32. To keep tiny folders small, int8 files (and CLIP's joint
 * `model.onnx`) are written for `full` only; tests that need them write them with `clipFiles`.
 */
export const clipPresets: readonly Preset[] = [
  {
    id: 'Xenova/clip-vit-base-patch32',
    family: 'clip',
    description:
      'CLIP (text_model.onnx, vision_model.onnx; CLIPImageProcessor, CLIP BPE; full also int8 towers and the joint model.onnx); full: ViT-B/32, image 224, patch 32, vision 12 layers × 768, text 12 layers × 512, vocab 49408, projection 512',
    files: (size) => clipFiles({ id: 'Xenova/clip-vit-base-patch32', dimensions: clipPresetDimensions[size], quantized: size === 'full', joint: size === 'full' }),
  },
  {
    id: 'microsoft/xclip-base-patch32',
    family: 'xclip',
    description:
      'X-CLIP in the @accel/skill-xclip contract (text_model, vision_model [B,8,3,S,S], prompt_model); full: base/32, 8 frames, ViT-B/32 per frame with message tokens, MIT 1 layer, prompt generator 2 layers, projection 512',
    files: (size) => xclipFiles({ id: 'microsoft/xclip-base-patch32', dimensions: size === 'tiny' ? tinyXclip : fullXclip, quantized: size === 'full' }),
  },
];
