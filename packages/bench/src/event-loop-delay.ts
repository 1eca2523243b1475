import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const turn = () => new Promise((resolve) => setTimeout(resolve, 2));

/**
 * Watches the event loop with `perf_hooks.monitorEventLoopDelay` (1 ms resolution) and hands out
 * the longest delay seen between readings, in milliseconds.
 *
 * The monitor records a blocked loop only when its timer fires after the block, and a freshly
 * enabled (or reset) monitor takes its first firing as the baseline. So each reading gives the
 * loop a turn before reading, and the next monitor a turn before it counts.
 */
export class EventLoopDelayRecorder {
  private constructor(private histogram: IntervalHistogram) {}

  private static async startMonitor(): Promise<IntervalHistogram> {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    await turn();
    return histogram;
  }

  static async start(): Promise<EventLoopDelayRecorder> {
    return new EventLoopDelayRecorder(await EventLoopDelayRecorder.startMonitor());
  }

  /** The longest delay since the recorder started or was last read; then starts afresh. */
  async takeMaxMs(): Promise<number> {
    await turn();
    const max = this.histogram.max / 1e6;
    const next = await EventLoopDelayRecorder.startMonitor();
    this.histogram.disable();
    this.histogram = next;
    return Number.isFinite(max) ? max : 0;
  }

  stop(): void {
    this.histogram.disable();
  }
}
