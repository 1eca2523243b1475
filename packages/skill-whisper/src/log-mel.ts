import { RealPowerSpectrum } from './fft.js';

/** transformers.js's `WhisperFeatureExtractor`, as far as this skill uses it. */
export interface WhisperFeatureExtractorLike {
  readonly config: {
    readonly feature_size?: number;
    readonly n_fft?: number;
    readonly hop_length?: number;
    readonly n_samples?: number;
    readonly nb_max_frames?: number;
    readonly mel_filters?: ReadonlyArray<ArrayLike<number>>;
  };
  readonly window?: ArrayLike<number>;
  (audio: Float32Array): Promise<{ input_features: { data: unknown; dims: readonly number[] } }>;
}

/** Log-mel features of a batch of windows, each padded to 30 s: [windows, mel bins, frames]. */
export interface LogMelBatch {
  readonly data: Float32Array;
  readonly dims: [number, number, number];
}

export interface LogMelExtractor {
  /** `fast`: this package's FFT; `transformers`: `WhisperFeatureExtractor` itself. */
  readonly route: 'fast' | 'transformers';
  extract(windows: readonly Float32Array[]): Promise<LogMelBatch>;
}

/** One mel filter's non-zero weights over the frequency bins `first` … `first + weights.length − 1`. */
interface SparseFilter {
  readonly first: number;
  readonly weights: Float64Array;
}

function sparseFilters(filters: ReadonlyArray<ArrayLike<number>>): SparseFilter[] {
  return filters.map((filter) => {
    const values = Array.from(filter);
    const first = values.findIndex((value) => value !== 0);
    if (first === -1) return { first: 0, weights: new Float64Array(0) };
    const last = values.findLastIndex((value) => value !== 0);
    return { first, weights: Float64Array.from(values.slice(first, last + 1)) };
  });
}

/** numpy's `reflect` padding index (the edge sample is not repeated). */
function reflect(index: number, length: number): number {
  const period = 2 * (length - 1);
  let folded = Math.abs(index) % period;
  if (folded >= length) folded = period - folded;
  return folded;
}

/**
 * Whisper's log-mel spectrogram, computed as `WhisperFeatureExtractor` computes it (pad to
 * `n_samples`, centred frames with reflect padding, Hann window, power spectrum, mel filters,
 * log10, clamp at the maximum − 8, then (x + 4) / 4) but with a mixed-radix FFT and sparse mel
 * filters instead of a Bluestein FFT and a dense matrix product. The filters and window are the
 * extractor's own, so the two agree to float32 rounding.
 */
function fastLogMel(window: Float32Array, parameters: { nFft: number; hop: number; samples: number; frames: number; window: ArrayLike<number>; filters: SparseFilter[] }): Float32Array {
  const { nFft, hop, samples, frames, filters } = parameters;
  const padding = Math.floor(nFft / 2);
  const bins = filters.length;
  const spectrum = new RealPowerSpectrum(nFft);
  const frame = new Float64Array(nFft);
  const power = new Float64Array(nFft / 2 + 1);
  const logMel = new Float32Array(bins * frames);
  const audioLength = Math.min(window.length, samples);
  const sample = (index: number): number => {
    const position = reflect(index - padding, samples);
    return position < audioLength ? window[position]! : 0;
  };
  let largest = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < frames; index += 1) {
    const start = index * hop;
    const interior = start >= padding && start - padding + nFft <= audioLength;
    for (let offset = 0; offset < nFft; offset += 1) {
      frame[offset] = (interior ? window[start - padding + offset]! : sample(start + offset)) * parameters.window[offset]!;
    }
    spectrum.compute(frame, power);
    for (let bin = 0; bin < bins; bin += 1) {
      const { first, weights } = filters[bin]!;
      let energy = 0;
      for (let weight = 0; weight < weights.length; weight += 1) energy += weights[weight]! * power[first + weight]!;
      const value = Math.log10(Math.max(energy, 1e-10));
      logMel[bin * frames + index] = value;
      if (value > largest) largest = value;
    }
  }
  const threshold = largest - 8;
  for (let index = 0; index < logMel.length; index += 1) logMel[index] = (Math.max(logMel[index]!, threshold) + 4) / 4;
  return logMel;
}

/**
 * Whisper's log-mel front end for a batch of windows: the fast route when the extractor's
 * configuration allows it (even `n_fft`, window and mel filters available), otherwise
 * `WhisperFeatureExtractor` itself.
 */
export function createLogMelExtractor(featureExtractor: WhisperFeatureExtractorLike): LogMelExtractor {
  const { config } = featureExtractor;
  const nFft = config.n_fft ?? 400;
  const hop = config.hop_length ?? 160;
  const samples = config.n_samples ?? 480000;
  const frames = Math.min(Math.floor(samples / hop), config.nb_max_frames ?? 3000);
  const fast =
    nFft % 2 === 0 && featureExtractor.window?.length === nFft && config.mel_filters !== undefined && config.mel_filters[0]?.length === nFft / 2 + 1;
  if (!fast) {
    return {
      route: 'transformers',
      async extract(windows) {
        const features = await Promise.all(windows.map(async (window) => (await featureExtractor(window)).input_features));
        const [, bins = 0, frameCount = 0] = features[0]?.dims ?? [];
        const data = new Float32Array(windows.length * bins * frameCount);
        features.forEach((feature, index) => data.set(feature.data as Float32Array, index * bins * frameCount));
        return { data, dims: [windows.length, bins, frameCount] };
      },
    };
  }
  const parameters = { nFft, hop, samples, frames, window: Float64Array.from(featureExtractor.window!), filters: sparseFilters(config.mel_filters!) };
  return {
    route: 'fast',
    async extract(windows) {
      const bins = parameters.filters.length;
      const data = new Float32Array(windows.length * bins * frames);
      windows.forEach((window, index) => data.set(fastLogMel(window, parameters), index * bins * frames));
      return { data, dims: [windows.length, bins, frames] };
    },
  };
}
