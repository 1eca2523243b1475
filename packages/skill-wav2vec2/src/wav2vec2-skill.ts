import { modelFileForDtype, type Dtype, type SkillV1 } from '@accel/core';
import { assembleWav2Vec2Output } from './wav2vec2-assemble.js';
import { wav2vec2Capabilities } from './wav2vec2-capabilities.js';
import { wav2vec2Cli } from './wav2vec2-cli.js';
import { loadWav2Vec2Model, type Wav2Vec2Value } from './wav2vec2-model.js';
import { prepareWav2Vec2Request, type Wav2Vec2Item } from './wav2vec2-prepare.js';
import { wav2vec2InputSchema, wav2vec2OptionsSchema, wav2vec2OutputSchema, type Wav2Vec2Input, type Wav2Vec2Options, type Wav2Vec2Output } from './wav2vec2-schemas.js';

const exampleRate = 16_000;

/** One second of a voiced, vowel-like signal: the smoke-test request. */
function exampleAudio(): { samples: Float32Array; sampleRate: number } {
  const samples = Float32Array.from({ length: exampleRate }, (_, index) => {
    const time = index / exampleRate;
    return 0.3 * Math.sin(2 * Math.PI * 140 * time) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * time)) + 0.1 * Math.sin(2 * Math.PI * 700 * time);
  });
  return { samples, sampleRate: exampleRate };
}

/** The wav2vec2 skill's type. */
export type Wav2Vec2Skill = SkillV1<Wav2Vec2Input, Wav2Vec2Output, Wav2Vec2Options, Wav2Vec2Item, Wav2Vec2Value>;

/**
 * wav2vec2 CTC speech recognition (greedy CTC through transformers.js's tokenizer, long audio in
 * overlapping chunks) and audio embeddings (mean of the last hidden states).
 */
export const wav2vec2Skill: Wav2Vec2Skill = {
  specificationVersion: 'v1',
  name: 'wav2vec2',
  packageName: '@accel/skill-wav2vec2',
  exportName: 'wav2vec2Skill',
  description: 'wav2vec2 CTC speech recognition (long audio in overlapping chunks, word timestamps) and audio embeddings',
  tasks: ['transcribe', 'embed'],
  defaultModel: 'Xenova/wav2vec2-base-960h',
  limits: { maxBatchSize: 8 },
  example: { input: exampleAudio() },
  dtypes: ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4'] satisfies Dtype[],
  modelTypes: ['wav2vec2', 'wav2vec2-conformer', 'hubert', 'wavlm', 'data2vec-audio', 'unispeech', 'unispeech-sat', 'sew', 'sew-d'],
  requiredFiles: (dtype) => ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', modelFileForDtype('model', dtype)],
  schemas: { input: wav2vec2InputSchema, options: wav2vec2OptionsSchema, output: wav2vec2OutputSchema },
  cli: wav2vec2Cli,
  capabilities: wav2vec2Capabilities,
  doPrepare: prepareWav2Vec2Request,
  doLoad: loadWav2Vec2Model,
  doAssemble: assembleWav2Vec2Output,
};
