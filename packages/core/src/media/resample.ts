import { InvalidInputError } from '../errors/invalid-input-error.js';

const zerosPerSide = 32;
const kaiserBeta = 8.6;

function besselI0(value: number): number {
  let sum = 1;
  let term = 1;
  for (let index = 1; index < 50; index += 1) {
    term *= (value / (2 * index)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

function sinc(value: number): number {
  if (value === 0) return 1;
  const angle = Math.PI * value;
  return Math.sin(angle) / angle;
}

const tableResolution = 4096;

const tableCache = new Map<string, Float64Array>();

/** The windowed-sinc kernel sampled every 1/4096 of a sample, from distance 0 to `halfWidth`; the last few are kept. */
function kernelTable(cutoff: number, halfWidth: number): Float64Array {
  const key = `${cutoff}:${halfWidth}`;
  const cached = tableCache.get(key);
  if (cached !== undefined) return cached;
  const table = computeKernelTable(cutoff, halfWidth);
  if (tableCache.size >= 4) tableCache.delete(tableCache.keys().next().value!);
  tableCache.set(key, table);
  return table;
}

function computeKernelTable(cutoff: number, halfWidth: number): Float64Array {
  const table = new Float64Array(halfWidth * tableResolution + 2);
  const normalizer = besselI0(kaiserBeta);
  for (let index = 0; index < table.length; index += 1) {
    const distance = index / tableResolution;
    const windowPosition = distance / halfWidth;
    if (windowPosition >= 1) continue;
    table[index] = (cutoff * sinc(cutoff * distance) * besselI0(kaiserBeta * Math.sqrt(1 - windowPosition * windowPosition))) / normalizer;
  }
  return table;
}

/**
 * Band-limited resampling with a Kaiser-windowed sinc filter (32 zero crossings a side, β 8.6,
 * cut-off at 97 % of the lower Nyquist frequency). The kernel is tabulated finely and linearly
 * interpolated, so any pair of rates works.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new InvalidInputError({ reason: `sample rates must be positive (got ${fromRate} → ${toRate})` });
  if (fromRate === toRate) return samples.slice();
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio) * 0.97;
  const halfWidth = Math.ceil(zerosPerSide / cutoff);
  const table = kernelTable(cutoff, halfWidth);
  const outputLength = Math.round(samples.length * ratio);
  const output = new Float32Array(outputLength);
  for (let outputIndex = 0; outputIndex < outputLength; outputIndex += 1) {
    const position = outputIndex / ratio;
    const center = Math.floor(position);
    const first = Math.max(0, center - halfWidth + 1);
    const last = Math.min(samples.length - 1, center + halfWidth);
    let sum = 0;
    for (let inputIndex = first; inputIndex <= last; inputIndex += 1) {
      const scaled = Math.abs(position - inputIndex) * tableResolution;
      const lower = Math.floor(scaled);
      const fraction = scaled - lower;
      sum += samples[inputIndex]! * (table[lower]! + fraction * (table[lower + 1]! - table[lower]!));
    }
    output[outputIndex] = sum;
  }
  return output;
}

/** Averages channels into one. */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  const [first] = channels;
  if (first === undefined) return new Float32Array(0);
  if (channels.length === 1) return first;
  const mono = new Float32Array(first.length);
  for (const channel of channels) for (let index = 0; index < mono.length; index += 1) mono[index]! += channel[index] ?? 0;
  for (let index = 0; index < mono.length; index += 1) mono[index]! /= channels.length;
  return mono;
}
