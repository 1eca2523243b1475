export type { ImageInput, RawPixels } from '@accel/core/media';
export type {
  ClipImageEmbeddingInput,
  ClipImages,
  ClipInput,
  ClipItem,
  ClipSimilarityInput,
  ClipTask,
  ClipTextEmbeddingInput,
  ClipTexts,
  ClipZeroShotInput,
} from './clip-input.js';
export { defaultClipLogitScale, defaultClipTemplate, type ClipOptions } from './clip-options.js';
export type { ClipClassification, ClipEmbeddingOutput, ClipOutput, ClipSimilarityOutput, ClipZeroShotOutput } from './clip-output.js';
export { clipSkill, type ClipSkill } from './clip-skill.js';
