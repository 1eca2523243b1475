import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Samples the process's resident set size on a timer and on demand, and keeps the highest value.
 * A timer cannot fire while the event loop is blocked, so callers also sample between operations,
 * and read the kernel's own high-water mark (`kernelPeakRss`) at the end.
 */
export class PeakRssSampler {
  readonly startBytes: number;
  private peak: number;
  private count = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 20) {
    this.startBytes = process.memoryUsage.rss();
    this.peak = this.startBytes;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    this.count += 1;
  }

  /** Stops sampling; returns the peak, the growth over the starting value (in bytes) and the samples taken. */
  stop(): { peakBytes: number; addedBytes: number; samples: number } {
    this.sample();
    clearInterval(this.timer);
    return { peakBytes: this.peak, addedBytes: Math.max(0, this.peak - this.startBytes), samples: this.count };
  }
}

/** `process.resourceUsage().maxRSS`, in bytes (Node gives kilobytes). */
export const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

/**
 * Resets the kernel's peak RSS of this process to its current RSS (Linux: `5` into
 * /proc/self/clear_refs), so that `VmHWM` afterwards covers only what follows; false where it cannot.
 */
export function resetKernelPeakRss(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * The kernel's record of this process's peak RSS since a point, in bytes, when it can be trusted:
 * - on Linux after `resetKernelPeakRss` at that point, `VmHWM` of /proc/self/status;
 * - otherwise `process.resourceUsage().maxRSS`, but only when it grew past its value at that point
 *   (`maxRssAtPoint`): maxRSS never falls, and it counts whatever came before, even the parent's
 *   peak for a child started by `fork` (Linux carries the pre-exec peak over: a fresh child
 *   reports its parent's peak). A value that did not rise is
 *   an earlier peak, not one since the point.
 */
export function kernelPeakRss(since: { readonly reset: boolean; readonly maxRssAtPoint: number }): { bytes: number; source: 'VmHWM' | 'maxRSS' } | undefined {
  if (since.reset) {
    try {
      const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (match) return { bytes: Number(match[1]) * 1024, source: 'VmHWM' };
    } catch {
      // No /proc: fall back to maxRSS.
    }
  }
  const maxRss = maxRssBytes();
  return maxRss > since.maxRssAtPoint ? { bytes: maxRss, source: 'maxRSS' } : undefined;
}
