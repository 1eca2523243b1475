/** The frame geometry of a wav2vec2 conv feature encoder. */
export interface FrameGeometry {
  /** Samples per output frame: the product of the conv strides (320). */
  readonly samplesPerFrame: number;
  /** Samples one frame sees: the receptive field of the conv stack (400). */
  readonly receptiveField: number;
}

/** One window of audio to run, and which of its frames belong to the transcript. */
export interface AudioChunk {
  /** First sample of the window. A multiple of `samplesPerFrame`, so window frame i is global frame `start / samplesPerFrame + i`. */
  readonly start: number;
  /** One past the last sample of the window. */
  readonly end: number;
  /** Global frames [keepFrom, keepTo) taken from this window; the windows' ranges tile [0, total frames). */
  readonly keepFrom: number;
  readonly keepTo: number;
}

/** Frames the conv feature encoder makes from `samples` samples (0 when shorter than the receptive field). */
export function frameCount(samples: number, geometry: FrameGeometry): number {
  if (samples < geometry.receptiveField) return 0;
  return Math.floor((samples - geometry.receptiveField) / geometry.samplesPerFrame) + 1;
}

/**
 * Splits `sampleCount` samples into overlapping windows of `chunkSamples`, stepping by
 * `chunkSamples − 2·strideSamples` (the scheme of Hugging Face's CTC chunking). Each window keeps
 * the frames of its middle; the `strideSamples` at each inner edge are context only, decoded by
 * the neighbouring window instead. The first window keeps from 0 and the last to the end, so every
 * frame of the whole audio is kept exactly once — a word at a seam is never emitted twice.
 *
 * Audio no longer than `chunkSamples` is one window. `chunkSamples` and `strideSamples` must be
 * multiples of `samplesPerFrame`, with `strideSamples` of at least two frames.
 */
export function planChunks(sampleCount: number, chunkSamples: number, strideSamples: number, geometry: FrameGeometry): AudioChunk[] {
  const { samplesPerFrame } = geometry;
  const totalFrames = frameCount(sampleCount, geometry);
  if (sampleCount <= chunkSamples) return [{ start: 0, end: sampleCount, keepFrom: 0, keepTo: totalFrames }];
  if (chunkSamples % samplesPerFrame !== 0 || strideSamples % samplesPerFrame !== 0) {
    throw new RangeError(`chunk (${chunkSamples}) and stride (${strideSamples}) must be multiples of ${samplesPerFrame} samples`);
  }
  const step = chunkSamples - 2 * strideSamples;
  if (strideSamples < 2 * samplesPerFrame || step < samplesPerFrame) {
    throw new RangeError(`a stride of ${strideSamples} samples leaves no usable middle in a chunk of ${chunkSamples}`);
  }
  const chunks: AudioChunk[] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(start + chunkSamples, sampleCount);
    const last = end >= sampleCount;
    const keepFrom = start === 0 ? 0 : (start + strideSamples) / samplesPerFrame;
    const keepTo = last ? totalFrames : (start + chunkSamples - strideSamples) / samplesPerFrame;
    chunks.push({ start, end, keepFrom, keepTo });
    if (last) return chunks;
  }
}
