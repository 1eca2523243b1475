export type { ItemControl, ItemOutcome, LoadedSkillV1 } from './loaded-skill-v1.js';
export type { SkillLoadContext } from './skill-load-context.js';
export type { PreparedRequest, SkillInput, SkillLimits, SkillOptions, SkillOutput, SkillV1 } from './skill-v1.js';
