import type { PreparedRequest } from '@accel/core';
import type { AudioInput } from '@accel/core/media';
import { wav2vec2Defaults, type Wav2Vec2Input, type Wav2Vec2Options, type Wav2Vec2Task } from './wav2vec2-schemas.js';

/** One clip to run: where it comes from and what to do with it. */
export interface Wav2Vec2Item {
  readonly source: AudioInput;
  /** Position in the input list; undefined for a single clip. */
  readonly index: number | undefined;
  readonly task: Wav2Vec2Task;
  readonly timestamps: boolean;
  readonly chunkLengthSeconds: number;
  readonly strideLengthSeconds: number;
}

/**
 * Splits a validated request (the schemas checked the clips and the options, including how chunk
 * and stride lengths fit together) into one item per clip, with the options' defaults filled in.
 * Audio is decoded later, in `run`, so a bad file fails only its own item.
 */
export function prepareWav2Vec2Request(input: Wav2Vec2Input, options: Wav2Vec2Options | undefined): PreparedRequest<Wav2Vec2Item> {
  const settings = {
    task: options?.task ?? 'transcribe',
    timestamps: options?.timestamps ?? false,
    chunkLengthSeconds: options?.chunkLengthSeconds ?? wav2vec2Defaults.chunkLengthSeconds,
    strideLengthSeconds: options?.strideLengthSeconds ?? wav2vec2Defaults.strideLengthSeconds,
  };
  const clips = Array.isArray(input)
    ? (input as readonly AudioInput[]).map((source, index) => ({ source, index }))
    : [{ source: input as AudioInput, index: undefined }];
  return { task: settings.task, items: clips.map(({ source, index }): Wav2Vec2Item => ({ source, index, ...settings })) };
}
