export type { ImageInput, RawPixels, VideoInput } from '@accel/core/media';
export type { XclipInput, XclipItem, XclipTask, XclipTextEmbeddingInput, XclipVideoEmbeddingInput, XclipVideos, XclipZeroShotInput } from './xclip-input.js';
export { defaultXclipFrameCount } from './xclip-model.js';
export { defaultXclipTemplate, type XclipOptions } from './xclip-options.js';
export type { XclipClassification, XclipEmbeddingOutput, XclipOutput, XclipValue, XclipZeroShotOutput } from './xclip-output.js';
export { xclipSkill, type XclipSkill } from './xclip-skill.js';
