import { InvalidInputError, modelFileForDtype, type Dtype, type SkillV1 } from '@accel/core';
import { prepareAudioList } from '@accel/core/media';
import { loadWav2Vec2Model } from './wav2vec2-model.js';
import type { Wav2Vec2Input, Wav2Vec2Item, Wav2Vec2Options, Wav2Vec2Output, Wav2Vec2Task, Wav2Vec2Value } from './wav2vec2-types.js';

const tasks: readonly Wav2Vec2Task[] = ['transcribe', 'embed'];

/** Defaults: 20 s windows with 2.5 s of context at each inner edge, i.e. 15 s of new audio per chunk. */
export const wav2vec2Defaults = { chunkLengthSeconds: 20, strideLengthSeconds: 2.5 } as const;

/** Smallest stretch of new audio a chunk may decode. */
const minimumStepSeconds = 0.5;

function positiveSeconds(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new InvalidInputError({ reason: `${name} must be a positive number of seconds, got ${String(value)}` });
  return value;
}

function readOptions(options: Wav2Vec2Options | undefined): Omit<Wav2Vec2Item, 'source' | 'index'> {
  const task = options?.task ?? 'transcribe';
  if (!tasks.includes(task)) throw new InvalidInputError({ reason: `task must be one of ${tasks.join(', ')}, got ${String(task)}` });
  const timestamps = options?.timestamps ?? false;
  if (typeof timestamps !== 'boolean') throw new InvalidInputError({ reason: `timestamps must be a boolean, got ${typeof timestamps}` });
  if (timestamps && task !== 'transcribe') throw new InvalidInputError({ reason: 'timestamps apply to the transcribe task only' });
  const chunkLengthSeconds = positiveSeconds(options?.chunkLengthSeconds ?? wav2vec2Defaults.chunkLengthSeconds, 'chunkLengthSeconds');
  const strideLengthSeconds = positiveSeconds(options?.strideLengthSeconds ?? wav2vec2Defaults.strideLengthSeconds, 'strideLengthSeconds');
  if (chunkLengthSeconds - 2 * strideLengthSeconds < minimumStepSeconds) {
    throw new InvalidInputError({
      reason: `chunkLengthSeconds (${chunkLengthSeconds}) must exceed twice strideLengthSeconds (${strideLengthSeconds}) by at least ${minimumStepSeconds} s`,
    });
  }
  return { task, timestamps, chunkLengthSeconds, strideLengthSeconds };
}

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
  source: { module: '@accel/skill-wav2vec2', exportName: 'wav2vec2Skill' },
  description: 'wav2vec2 CTC speech recognition (long audio in overlapping chunks, word timestamps) and audio embeddings',
  tasks: ['transcribe', 'embed'],
  defaultModel: 'facebook/wav2vec2-base-960h',
  limits: { maxBatchSize: 8 },
  example: { input: exampleAudio() },
  dtypes: ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4'] satisfies Dtype[],
  modelTypes: ['wav2vec2', 'wav2vec2-conformer', 'hubert', 'wavlm', 'data2vec-audio', 'unispeech', 'unispeech-sat', 'sew', 'sew-d'],
  requiredFiles: (dtype) => ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', modelFileForDtype('model', dtype)],
  doPrepare(input, options) {
    const settings = readOptions(options);
    const clips = prepareAudioList(input);
    return { task: settings.task, items: clips.map(({ source, index }) => ({ source, index, ...settings })) };
  },
  doLoad: (context) => loadWav2Vec2Model(context),
  doAssemble(values, prepared) {
    if (prepared.task === 'embed') {
      const embeddings = values.map((value) => (value.kind === 'embedding' ? value.embedding : new Float32Array(0)));
      const first = values[0];
      return { task: 'embed', embeddings, dimensions: embeddings[0]?.length ?? 0, source: first?.kind === 'embedding' ? first.source : 'last_hidden_state' };
    }
    return { task: 'transcribe', transcriptions: values.flatMap((value) => (value.kind === 'transcription' ? [value.transcription] : [])) };
  },
};
