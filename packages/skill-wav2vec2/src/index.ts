export { wav2vec2Skill, type Wav2Vec2Skill } from './wav2vec2-skill.js';
export { wav2vec2Cli } from './wav2vec2-cli.js';
export { wav2vec2Capabilities } from './wav2vec2-capabilities.js';
export type { Wav2Vec2Item } from './wav2vec2-prepare.js';
export type { Wav2Vec2Value } from './wav2vec2-model.js';
export {
  wav2vec2Defaults,
  wav2vec2EmbeddingSourceSchema,
  wav2vec2InputSchema,
  wav2vec2OptionsSchema,
  wav2vec2OutputSchema,
  wav2vec2TaskSchema,
  wav2vec2TranscriptionSchema,
  wav2vec2WordSchema,
  type Wav2Vec2EmbeddingSource,
  type Wav2Vec2Input,
  type Wav2Vec2Options,
  type Wav2Vec2Output,
  type Wav2Vec2Task,
  type Wav2Vec2Transcription,
  type Wav2Vec2Word,
} from './wav2vec2-schemas.js';
export { frameCount, planChunks, type AudioChunk, type FrameGeometry } from './chunk-plan.js';
export { argmaxFrames, collapseCtc, groupWords, type CtcToken, type CtcWord } from './ctc.js';
export { findTruncation } from '@accel/core/media';
