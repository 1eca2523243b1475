export { clapSkill, type ClapSkill } from './clap-skill.js';
export { clapCli } from './clap-cli.js';
export type { ClapItem } from './clap-prepare.js';
export { windowStarts, type ClapValue } from './clap-model.js';
export {
  clapClassificationSchema,
  clapInputSchema,
  clapOptionsSchema,
  clapOutputSchema,
  clapScoreSchema,
  defaultTemplate,
  type ClapAudio,
  type ClapClassification,
  type ClapInput,
  type ClapOptions,
  type ClapOutput,
  type ClapScore,
  type ClapTask,
} from './clap-schemas.js';
export { findTruncation } from '@accel/core/media';
