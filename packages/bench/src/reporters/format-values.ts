/** Formatting shared by the reporters. */
export const formatMilliseconds = (value: number | undefined): string =>
  value === undefined ? '–' : value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;

export const formatRate = (value: number | undefined, unit: string): string =>
  value === undefined ? '–' : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;

export const formatMegabytes = (bytes: number | undefined): string => (bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

export const formatRatio = (value: number | undefined): string => (value === undefined ? '–' : `${value.toFixed(2)}×`);

/** True when the ratio favours accel. */
export const favoursAccel = (ratio: { value: number; better: 'lower' | 'higher' }): boolean => (ratio.better === 'lower' ? ratio.value <= 1 : ratio.value >= 1);
