export type { ImageInput, RawPixels, VideoInput } from '@accel/core/media';
export type { XclipValue } from './xclip-assemble.js';
export { xclipCli } from './xclip-cli.js';
export { defaultXclipFrameCount } from './xclip-model.js';
export type { XclipItem, XclipTask } from './xclip-prepare.js';
export {
  defaultXclipTemplate,
  xclipInputSchema,
  xclipOptionsSchema,
  xclipOutputSchema,
  type XclipClassification,
  type XclipEmbeddingOutput,
  type XclipInput,
  type XclipOptions,
  type XclipOutput,
  type XclipTextEmbeddingInput,
  type XclipVideoEmbeddingInput,
  type XclipVideos,
  type XclipZeroShotInput,
  type XclipZeroShotOutput,
} from './xclip-schemas.js';
export { xclipSkill, type XclipSkill } from './xclip-skill.js';
