export { whisperSkill, type WhisperSkill } from './whisper-skill.js';
export { whisperCli } from './whisper-cli.js';
export { whisperCapabilities } from './whisper-capabilities.js';
export type { WhisperItem, WhisperSettings } from './whisper-prepare.js';
export {
  whisperChunkSchema,
  whisperInputSchema,
  whisperOptionsSchema,
  whisperOutputSchema,
  whisperTaskSchema,
  whisperTranscriptSchema,
  type WhisperChunk,
  type WhisperInput,
  type WhisperOptions,
  type WhisperOutput,
  type WhisperTask,
  type WhisperTranscript,
} from './whisper-schemas.js';
export { whisperLanguageCode, whisperLanguageCodes } from './languages.js';
