export type { ImageInput, RawPixels } from '@accel/core/media';
export { clipCli } from './clip-cli.js';
export type { ClipItem, ClipTask } from './clip-prepare.js';
export {
  clipInputSchema,
  clipOptionsSchema,
  clipOutputSchema,
  defaultClipLogitScale,
  defaultClipTemplate,
  type ClipClassification,
  type ClipEmbeddingOutput,
  type ClipInput,
  type ClipOptions,
  type ClipOutput,
  type ClipSimilarityOutput,
  type ClipZeroShotOutput,
} from './clip-schemas.js';
export { clipSkill, type ClipSkill } from './clip-skill.js';
