export type { ItemControl, ItemOutcome, LoadedSkillV1 } from './loaded-skill-v1.js';
export type { SkillLoadContext } from './skill-load-context.js';
export { skillSource, type PreparedRequest, type RequiredFile, type SkillInput, type SkillLimits, type SkillOptions, type SkillOutput, type SkillV1 } from './skill-v1.js';
export type { SkillCliCommand, SkillCliFlagV1, SkillCliV1 } from './skill-cli.js';
export { inputJsonSchema, invalidInputFromIssues, outputJsonSchema, skillOptionsOf, validateWithSchema, type SkillSchema, type SkillSchemasV1 } from './skill-schema.js';
export type {
  ChatMessageV1,
  ClassifyCapabilityV1,
  EmbedCapabilityV1,
  EmbeddingModality,
  GenerateCapabilityV1,
  Generated,
  GenerateRequest,
  LabelScore,
  ModalityItems,
  SkillCapabilitiesV1,
  SkillRequest,
  TranscribeCapabilityV1,
  TranscribeRequest,
  Transcript,
  TranscriptGranularity,
} from './skill-capabilities.js';
