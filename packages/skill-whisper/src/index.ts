export { whisperSkill, type WhisperSkill } from './whisper-skill.js';
export type { WhisperInput, WhisperItem } from './whisper-input.js';
export type { WhisperOptions, WhisperSettings, WhisperTask } from './whisper-options.js';
export type { WhisperChunk, WhisperOutput, WhisperTranscript } from './whisper-output.js';
export { whisperLanguageCode, whisperLanguageCodes } from './languages.js';
