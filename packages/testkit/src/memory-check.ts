/**
 * The conformance kit's memory check: growth per add/remove cycle and per request, fitted over
 * several checkpoints after a warm-up, so that a small steady leak shows however noisy one reading
 * is. Exported on its own so that a test can show it flags a leaking skill.
 *
 * What is measured, and why:
 * - **Per request: `heapUsed + external` of the measuring thread**, after two full garbage
 *   collections at each checkpoint. A request's leftovers are JavaScript objects and the
 *   `ArrayBuffer`s behind tensors (`external` already includes `arrayBuffers`, so they are not added
 *   twice). These readings move by kilobytes between collections, where RSS moves by megabytes
 *   (allocator arenas, pages returned late), so only they can resolve 1 KB per request. The
 *   requests run on an `inline` endpoint, so that everything a request allocates — registry,
 *   queue, skill, backend session adapter — lives on the measured thread: Node 20 cannot read a
 *   worker thread's heap from outside it.
 * - **Per cycle: RSS**, also after collecting. A cycle loads a model (native sessions, weights,
 *   worker-side state) and releases it; what a cycle can leak is mostly outside the JavaScript
 *   heap, and RSS is the only reading that covers the worker threads and native memory. A bound of
 *   1 MiB per cycle is well above RSS's jitter divided by a few dozen cycles. RSS climbs to a
 *   high-water mark over the first cycles (allocator arenas; WebAssembly memory, which never
 *   shrinks, takes tens of cycles on the wasm backend), so the warm-up runs until RSS levels — two
 *   blocks of cycles in a row within the bound — or a cap: a leak never levels, and is then measured
 *   and flagged.
 *
 * The slope is the Theil–Sen estimate (median of the slopes between every pair of checkpoints): a
 * steady leak moves every pair, a single jump (an allocator arena growing once) moves few. A
 * high-water mark can still be climbing in steps after the warm-up looked calm (WebAssembly memory
 * grows in large steps), so a phase whose first window exceeds its bound is measured
 * again over a second window of the same length that starts where the first ended, and only the
 * second decides: a leak grows in both windows, a climb that levels does not. Both slopes are
 * reported.
 */

/** The two phases' work, as the conformance kit (or a test) runs it. */
export interface MemoryCheckWork {
  /** One add → init → infer → remove cycle on a fresh registry. */
  readonly cycle: (index: number) => Promise<void>;
  /** Opens one endpoint for the requests phase; `request(index)` sends one request to it. */
  readonly openEndpoint: () => Promise<{ readonly request: (index: number) => Promise<unknown>; readonly close: () => Promise<void> }>;
}

export interface MemoryCheckCounts {
  /** Measured add/remove cycles, after the warm-up. */
  readonly cycles: number;
  /** Measured requests, after the warm-up. */
  readonly requests: number;
  /** Bound on the fitted RSS growth per cycle. Default 1 MiB. */
  readonly maxBytesPerCycle?: number;
  /** Bound on the fitted heap + external growth per request. Default 1 KiB. */
  readonly maxBytesPerRequest?: number;
  /**
   * Unmeasured cycles first, in blocks of this many (default 5), until two blocks in a row grow RSS
   * by at most the per-cycle bound, or `maxWarmUpCycles` have run.
   */
  readonly warmUpCycles?: number;
  /** The most warm-up cycles (default 60); a real leak never levels, so it is measured after them and flagged. */
  readonly maxWarmUpCycles?: number;
  /** Unmeasured requests first (caches, JIT). Default 128. */
  readonly warmUpRequests?: number;
  /** Readings per phase after the warm-up's (the fit uses one more). Default 8. */
  readonly checkpoints?: number;
  /** Requests sent at once. Default 64. */
  readonly wave?: number;
  /** Windows a phase may take: a second one only when the first exceeds the bound. Default 2. */
  readonly windows?: number;
}

export interface MemoryMeasurement {
  /** Warm-up cycles run before the measured ones. */
  readonly warmUpCycles: number;
  readonly cycles: number;
  /** RSS after each checkpoint of the cycles phase's last window, first one at its start. */
  readonly cycleRssBytes: readonly number[];
  /** RSS, last checkpoint minus first (last window). */
  readonly growthBytes: number;
  /** Fitted RSS growth per cycle, over the last window. */
  readonly perCycleBytes: number;
  /** The fitted per-cycle growth of every window measured, in order (one unless the first exceeded the bound). */
  readonly perCycleWindows: readonly number[];
  readonly perCycleBoundBytes: number;
  readonly requests: number;
  /** heapUsed + external after each checkpoint of the requests phase's last window. */
  readonly requestHeapBytes: readonly number[];
  /** heapUsed + external, last checkpoint minus first (last window). */
  readonly requestGrowthBytes: number;
  /** Fitted heapUsed + external growth per request, over the last window. */
  readonly perRequestBytes: number;
  /** The fitted per-request growth of every window measured, in order. */
  readonly perRequestWindows: readonly number[];
  readonly perRequestBoundBytes: number;
  /** RSS growth over the requests phase, for information (not bounded: too noisy for per-request use). */
  readonly requestRssGrowthBytes: number;
}

export const defaultMaxBytesPerCycle = 1024 * 1024;
export const defaultMaxBytesPerRequest = 1024;

/** Theil–Sen slope: the median of the slopes between every pair of points with distinct x. */
export function fitSlope(points: readonly (readonly [number, number])[]): number {
  const slopes: number[] = [];
  for (let left = 0; left < points.length; left += 1) {
    for (let right = left + 1; right < points.length; right += 1) {
      const [x1, y1] = points[left]!;
      const [x2, y2] = points[right]!;
      if (x2 !== x1) slopes.push((y2 - y1) / (x2 - x1));
    }
  }
  if (slopes.length === 0) throw new Error('fitSlope needs at least two points with different x');
  slopes.sort((a, b) => a - b);
  const middle = Math.floor(slopes.length / 2);
  return slopes.length % 2 === 1 ? slopes[middle]! : (slopes[middle - 1]! + slopes[middle]!) / 2;
}

async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the memory check needs garbage collection on demand: run node (or vitest execArgv) with --expose-gc');
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

const heapReading = () => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};

/** Checkpoint positions: `count` split into at most `checkpoints` nearly equal steps. */
function steps(count: number, checkpoints: number): number[] {
  const parts = Math.max(1, Math.min(checkpoints, count));
  return Array.from({ length: parts }, (_, index) => Math.round(((index + 1) * count) / parts));
}

/** Runs both phases and returns what was measured; `memoryProblems` says whether it is within bounds. */
export async function measureMemoryGrowth(work: MemoryCheckWork, counts: MemoryCheckCounts): Promise<MemoryMeasurement> {
  const checkpoints = counts.checkpoints ?? 8;
  const wave = counts.wave ?? 64;
  if (counts.cycles < 2 || counts.requests < 2) throw new Error('the memory check needs at least 2 cycles and 2 requests to fit a slope');

  const perCycleBoundBytes = counts.maxBytesPerCycle ?? defaultMaxBytesPerCycle;
  const block = Math.max(1, counts.warmUpCycles ?? 5);
  const maxWarmUpCycles = Math.max(block, counts.maxWarmUpCycles ?? 60);
  let cycleIndex = 0;
  let calmBlocks = 0;
  await settle();
  let previous = process.memoryUsage().rss;
  while (cycleIndex < maxWarmUpCycles && calmBlocks < 2) {
    for (let index = 0; index < block; index += 1) await work.cycle(cycleIndex++);
    await settle();
    const rss = process.memoryUsage().rss;
    calmBlocks = rss - previous <= perCycleBoundBytes * block ? calmBlocks + 1 : 0;
    previous = rss;
  }
  const warmUpCycles = cycleIndex;
  const windows = Math.max(1, counts.windows ?? 2);
  const perRequestBoundBytes = counts.maxBytesPerRequest ?? defaultMaxBytesPerRequest;

  let cycleRssBytes: number[] = [];
  const perCycleWindows: number[] = [];
  while (perCycleWindows.length < windows && (perCycleWindows.length === 0 || perCycleWindows.at(-1)! > perCycleBoundBytes)) {
    cycleRssBytes = [previous];
    const cyclePoints: [number, number][] = [[0, previous]];
    let done = 0;
    for (const target of steps(counts.cycles, checkpoints)) {
      while (done < target) {
        await work.cycle(cycleIndex++);
        done += 1;
      }
      await settle();
      const rss = process.memoryUsage().rss;
      cycleRssBytes.push(rss);
      cyclePoints.push([done, rss]);
    }
    previous = cycleRssBytes.at(-1)!;
    perCycleWindows.push(fitSlope(cyclePoints));
  }

  const endpoint = await work.openEndpoint();
  let requestIndex = 0;
  const send = async (count: number) => {
    for (let sent = 0; sent < count; sent += wave) {
      const size = Math.min(wave, count - sent);
      await Promise.all(Array.from({ length: size }, () => endpoint.request(requestIndex++)));
    }
  };
  let requestHeapBytes: number[] = [];
  const perRequestWindows: number[] = [];
  let rssBefore: number;
  try {
    await send(counts.warmUpRequests ?? 128);
    await settle();
    rssBefore = process.memoryUsage().rss;
    let start = heapReading();
    while (perRequestWindows.length < windows && (perRequestWindows.length === 0 || perRequestWindows.at(-1)! > perRequestBoundBytes)) {
      requestHeapBytes = [start];
      const requestPoints: [number, number][] = [[0, start]];
      let sent = 0;
      for (const target of steps(counts.requests, checkpoints)) {
        await send(target - sent);
        sent = target;
        await settle();
        const heap = heapReading();
        requestHeapBytes.push(heap);
        requestPoints.push([sent, heap]);
      }
      start = requestHeapBytes.at(-1)!;
      perRequestWindows.push(fitSlope(requestPoints));
    }
  } finally {
    await endpoint.close();
  }
  await settle();
  const requestRssGrowthBytes = process.memoryUsage().rss - rssBefore;

  return {
    warmUpCycles,
    cycles: counts.cycles,
    cycleRssBytes,
    growthBytes: cycleRssBytes.at(-1)! - cycleRssBytes[0]!,
    perCycleBytes: perCycleWindows.at(-1)!,
    perCycleWindows,
    perCycleBoundBytes,
    requests: counts.requests,
    requestHeapBytes,
    requestGrowthBytes: requestHeapBytes.at(-1)! - requestHeapBytes[0]!,
    perRequestBytes: perRequestWindows.at(-1)!,
    perRequestWindows,
    perRequestBoundBytes,
    requestRssGrowthBytes,
  };
}

function formatSize(bytes: number): string {
  const magnitude = Math.abs(bytes);
  if (magnitude >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (magnitude >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

function windowsNote(windows: readonly number[]): string {
  return windows.length < 2 ? '' : `, the last of ${windows.length} windows; earlier: ${windows.slice(0, -1).map(formatSize).join(', ')}`;
}

/** The bounds a measurement exceeds, in words; empty when it is within both. */
export function memoryProblems(measurement: MemoryMeasurement): string[] {
  const problems: string[] = [];
  if (measurement.perCycleBytes > measurement.perCycleBoundBytes) {
    problems.push(
      `RSS grew ${formatSize(measurement.perCycleBytes)} per add/remove cycle (fitted over ${measurement.cycles} cycles${windowsNote(measurement.perCycleWindows)}; bound ${formatSize(measurement.perCycleBoundBytes)})`,
    );
  }
  if (measurement.perRequestBytes > measurement.perRequestBoundBytes) {
    problems.push(
      `heap + external memory grew ${formatSize(measurement.perRequestBytes)} per request (fitted over ${measurement.requests} requests${windowsNote(measurement.perRequestWindows)}; bound ${formatSize(measurement.perRequestBoundBytes)})`,
    );
  }
  return problems;
}

export { formatSize as formatMemorySize };
