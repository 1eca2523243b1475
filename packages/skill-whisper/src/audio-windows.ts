/** A stretch of audio decoded on its own: at most one 30-second window. */
export interface AudioWindow {
  readonly samples: Float32Array;
  /** Seconds of real audio in the window (the rest is padding). */
  readonly seconds: number;
  /** `[window length, left overlap, right overlap]` in seconds, as `WhisperTokenizer._decode_asr` takes it. */
  readonly stride: readonly [number, number, number];
}

/**
 * Cuts audio into windows of `windowSeconds`, each overlapping its neighbours by `strideSeconds`
 * on both sides (the transformers.js pipeline's `chunk_length_s` / `stride_length_s` scheme), so
 * the overlaps can be stitched. Audio that fits one window is one window without overlap.
 */
export function splitIntoWindows(samples: Float32Array, sampleRate: number, windowSeconds: number, strideSeconds: number): AudioWindow[] {
  const window = Math.round(windowSeconds * sampleRate);
  const stride = Math.round(strideSeconds * sampleRate);
  const jump = window - 2 * stride;
  if (jump <= 0) throw new Error(`the window (${windowSeconds} s) must be longer than twice the stride (${strideSeconds} s)`);
  const windows: AudioWindow[] = [];
  for (let offset = 0; ; offset += jump) {
    const part = samples.subarray(offset, offset + window);
    const isFirst = offset === 0;
    const isLast = offset + window >= samples.length;
    windows.push({
      samples: part,
      seconds: part.length / sampleRate,
      stride: [part.length / sampleRate, isFirst ? 0 : stride / sampleRate, isLast ? 0 : stride / sampleRate],
    });
    if (isLast) return windows;
  }
}
