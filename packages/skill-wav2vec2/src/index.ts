export type {
  Wav2Vec2EmbeddingSource,
  Wav2Vec2Input,
  Wav2Vec2Item,
  Wav2Vec2Options,
  Wav2Vec2Output,
  Wav2Vec2Task,
  Wav2Vec2Transcription,
  Wav2Vec2Value,
  Wav2Vec2Word,
} from './wav2vec2-types.js';
export { wav2vec2Defaults, wav2vec2Skill, type Wav2Vec2Skill } from './wav2vec2-skill.js';
export { frameCount, planChunks, type AudioChunk, type FrameGeometry } from './chunk-plan.js';
export { argmaxFrames, collapseCtc, groupWords, type CtcToken, type CtcWord } from './ctc.js';
export { findTruncation } from '@accel/core/media';
