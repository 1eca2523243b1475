/** The value below which `fraction` of the samples lie, by linear interpolation between ranks (numpy's default). */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  const sorted = [...samples].sort((left, right) => left - right);
  const rank = fraction * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const lowerValue = sorted[lower]!;
  return lowerValue + (sorted[upper]! - lowerValue) * (rank - lower);
}

/** The middle value; the mean of the two middle values for an even count. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

/** Median, 95th percentile and count of a set of durations. */
export interface Summary {
  readonly median: number;
  readonly p95: number;
  readonly samples: number;
}

export function summarize(samples: readonly number[]): Summary {
  return { median: median(samples), p95: percentile(samples, 0.95), samples: samples.length };
}
