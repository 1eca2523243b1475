/**
 * Samples the process's resident set size on a timer and on demand, and keeps the highest value.
 * A timer cannot fire while the event loop is blocked, so callers also sample between operations.
 */
export class PeakRssSampler {
  readonly startBytes: number;
  private peak: number;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 20) {
    this.startBytes = process.memoryUsage.rss();
    this.peak = this.startBytes;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }

  /** Stops sampling; returns the peak and the growth over the starting value, in bytes. */
  stop(): { peakBytes: number; addedBytes: number } {
    this.sample();
    clearInterval(this.timer);
    return { peakBytes: this.peak, addedBytes: Math.max(0, this.peak - this.startBytes) };
  }
}
