import type { Dtype, SkillV1 } from '@accel/core';
import { modelFileForDtype } from '@accel/core';
import { assembleWhisperOutput } from './whisper-assemble.js';
import { whisperCapabilities } from './whisper-capabilities.js';
import { whisperCli } from './whisper-cli.js';
import { loadWhisperModel } from './whisper-model.js';
import { prepareWhisperRequest, type WhisperItem } from './whisper-prepare.js';
import { whisperInputSchema, whisperOptionsSchema, whisperOutputSchema, type WhisperInput, type WhisperOptions, type WhisperOutput, type WhisperTranscript } from './whisper-schemas.js';

/** The Whisper skill's type: audio in, transcripts out. */
export type WhisperSkill = SkillV1<WhisperInput, WhisperOutput, WhisperOptions, WhisperItem, WhisperTranscript>;

const dtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'];

/** Half a second of a 440 Hz tone: a valid request that needs no file. */
function exampleAudio(): { samples: Float32Array; sampleRate: number } {
  return { samples: Float32Array.from({ length: 8000 }, (_, index) => 0.2 * Math.sin((2 * Math.PI * 440 * index) / 16000)), sampleRate: 16000 };
}

/**
 * Whisper speech recognition: transcription or translation to English, segment timestamps, long
 * audio in overlapping 30-second windows, and the realtime factor in the provenance timings.
 */
export const whisperSkill: WhisperSkill = {
  specificationVersion: 'v1',
  name: 'whisper',
  packageName: '@accel/skill-whisper',
  exportName: 'whisperSkill',
  description: 'Whisper speech recognition: transcripts, segment timestamps, language and translation',
  tasks: ['transcribe', 'translate'],
  defaultModel: 'Xenova/whisper-tiny',
  limits: { maxBatchSize: 8 },
  example: { input: exampleAudio(), options: { maxNewTokens: 8 } },
  dtypes,
  modelTypes: ['whisper'],
  requiredFiles: (dtype) => [
    'config.json',
    'generation_config.json',
    'preprocessor_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    modelFileForDtype('encoder_model', dtype),
    modelFileForDtype('decoder_model_merged', dtype),
  ],
  schemas: { input: whisperInputSchema, options: whisperOptionsSchema, output: whisperOutputSchema },
  cli: whisperCli,
  capabilities: whisperCapabilities,
  doPrepare: prepareWhisperRequest,
  doLoad: loadWhisperModel,
  doAssemble: assembleWhisperOutput,
};
