import { InvalidInputError } from '../errors/invalid-input-error.js';
import { type AudioInput, describeSource } from './media-source.js';
import { decodeAudioBytes, readFileBytes } from './media-io.js';
import { downmix, resample } from './resample.js';

/** Mono samples at a known rate. */
export interface DecodedAudio {
  readonly samples: Float32Array;
  readonly sampleRate: number;
  /** Seconds of audio. */
  readonly duration: number;
}

async function readBytes(input: string | Uint8Array): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  try {
    return await readFileBytes(input);
  } catch (error) {
    throw new InvalidInputError({ reason: `cannot read ${input}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, cause: error });
  }
}

/**
 * Decodes audio (wav, mp3, flac, ogg, opus, m4a, webm — through `audio-decode`, imported on first
 * use), downmixes it to mono and resamples it to `sampleRate` with a windowed-sinc filter.
 * An empty, corrupt or unsupported file is an `InvalidInputError` naming the file and the reason.
 */
export async function readAudio(input: AudioInput, { sampleRate }: { sampleRate: number }): Promise<DecodedAudio> {
  let samples: Float32Array;
  let sourceRate: number;
  if (typeof input === 'object' && !(input instanceof Uint8Array)) {
    if (!(input.samples instanceof Float32Array) || !(input.sampleRate > 0)) {
      throw new InvalidInputError({ reason: 'audio samples must be a Float32Array with a positive sampleRate' });
    }
    samples = input.samples;
    sourceRate = input.sampleRate;
  } else {
    const name = describeSource(input);
    const bytes = await readBytes(input);
    if (bytes.byteLength === 0) throw new InvalidInputError({ reason: `${name} is empty` });
    let decoded: { channelData: Float32Array[]; sampleRate: number };
    try {
      decoded = await decodeAudioBytes(bytes);
    } catch (error) {
      throw new InvalidInputError({ reason: `cannot decode ${name} as audio: ${error instanceof Error ? error.message : String(error)}`, cause: error });
    }
    samples = downmix(decoded.channelData);
    sourceRate = decoded.sampleRate;
    if (samples.length === 0 || !(sourceRate > 0)) throw new InvalidInputError({ reason: `${name} holds no audio samples` });
    if (samples.some((value) => !Number.isFinite(value))) throw new InvalidInputError({ reason: `${name} decoded to non-finite samples` });
  }
  const resampled = resample(samples, sourceRate, sampleRate);
  return { samples: resampled, sampleRate, duration: resampled.length / sampleRate };
}
