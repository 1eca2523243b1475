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
/** How long audio is cut (accel bench's raw peer cuts it the same way): windows of the model's chunk length (30 s), overlapping by `strideSeconds` on both sides, decoded `windowsPerGenerate` at a time. */
export { splitIntoWindows, type AudioWindow } from './audio-windows.js';
export { strideSeconds as whisperStrideSeconds, windowsPerGenerate as whisperWindowsPerGenerate } from './whisper-model.js';
