import type { BenchRunHeader } from '../bench-result.js';
import type { RequestAccounting, ServerGoalResult } from '../server/server-bench-result.js';

export type MeasureStatus = 'measured' | 'failed' | 'skipped';

/** CPU time per answered request, in milliseconds, by the process that spent it. */
export interface CpuPerRequest {
  /** The bench process: the cluster client (the gateway's library side) and the load it sends. */
  readonly gateway: number;
  /** nats-server (from /proc; absent where there is none). */
  readonly broker?: number;
  /** The worker processes together (their event loops and inference threads). */
  readonly workers: number;
}

/** One side of the throughput comparison: the same load against 1 or 2 worker processes. */
export interface ThroughputSide {
  readonly label: string;
  readonly workers: number;
  /** Items per second of each counted window, in the order they ran. */
  readonly rounds: readonly number[];
  /**
   * Per counted window, the CPU the machine spent outside the bench's processes (bench, nats-server,
   * workers), in cores (/proc/stat): other work sharing the cores during that round. Absent without /proc.
   */
  readonly otherProcessesCores?: readonly number[];
  /** The median of `rounds`. */
  readonly itemsPerSecond: number;
  /** Latency of the requests answered in the counted windows (queueing included: the load is saturating). */
  readonly latency: { readonly p50: number; readonly p99: number; readonly samples: number };
  readonly cpuMillisecondsPerRequest: CpuPerRequest;
  /** Answers per worker id in the counted windows: how the work was shared. */
  readonly answersByWorker: Readonly<Record<string, number>>;
  /** Every request sent to this side (warm-up, ramps and drains included). */
  readonly accounting: RequestAccounting;
}

export interface ClusterThroughputResult {
  readonly description: string;
  readonly model: string;
  readonly backend: string;
  readonly status: MeasureStatus;
  readonly reason?: string;
  /** Requests kept outstanding at once. */
  readonly concurrency?: number;
  /** How the workers ran (isolation, threads, batch size, jobs held). */
  readonly notes?: readonly string[];
  readonly one?: ThroughputSide;
  readonly two?: ThroughputSide;
  /** 2-worker ÷ 1-worker items per second (medians over rounds). */
  readonly ratio?: number;
}

/** Batch-of-1 latency of one way to call the endpoint. */
export interface LatencySide {
  readonly label: string;
  readonly p50: number;
  readonly p90: number;
  readonly samples: number;
}

export interface ClusterLatencyResult {
  readonly description: string;
  readonly model: string;
  readonly backend: string;
  readonly status: MeasureStatus;
  readonly reason?: string;
  readonly inProcess?: LatencySide;
  readonly remote?: LatencySide;
  /** remote − in-process, of the p50s and of the p90s, in ms. */
  readonly p50Difference?: number;
  readonly p90Difference?: number;
  /** The median over pairs (one in-process and one remote call back to back) of remote − in-process, in ms. */
  readonly pairedMedianDifference?: number;
  readonly pairs?: number;
  readonly accounting?: RequestAccounting;
}

export interface ClusterBenchResult extends BenchRunHeader {
  readonly kind: 'cluster';
  /** Set when the whole cluster bench could not run (no nats-server, no cpu backend), with why. */
  readonly skipped?: string;
  /** Structured-clone sizes of one MiniLM request's input and of its answer (output + provenance), in bytes. */
  readonly payloadBytes?: { readonly request: number; readonly answer: number };
  readonly throughput: ClusterThroughputResult;
  /** Gateway (cluster client) + broker overhead on batch-of-1 latency. */
  readonly latency: ClusterLatencyResult;
  /** The same through the HTTP gateway (`@accel/server` with `remote` = the cluster client). */
  readonly httpLatency: ClusterLatencyResult;
  readonly goals: readonly ServerGoalResult[];
}
