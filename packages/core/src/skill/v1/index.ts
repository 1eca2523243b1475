export type { ItemControl, ItemOutcome, LoadedSkillV1 } from './loaded-skill-v1.js';
export type { SkillLoadContext } from './skill-load-context.js';
export { skillSource, type PreparedRequest, type RequiredFile, type SkillInput, type SkillLimits, type SkillOptions, type SkillOutput, type SkillV1 } from './skill-v1.js';
export type { SkillCliCommand, SkillCliFlagV1, SkillCliV1 } from './skill-cli.js';
export { inputJsonSchema, invalidInputFromIssues, outputJsonSchema, skillOptionsOf, validateWithSchema, type SkillSchema, type SkillSchemasV1 } from './skill-schema.js';
