export type { ClapAudio, ClapClassification, ClapInput, ClapItem, ClapOptions, ClapOutput, ClapScore, ClapTask, ClapValue } from './clap-types.js';
export { clapSkill, type ClapSkill } from './clap-skill.js';
export { defaultTemplate } from './prepare-clap-input.js';
export { windowStarts } from './clap-model.js';
export { findTruncation } from '@accel/core/media';
