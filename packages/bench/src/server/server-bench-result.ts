import type { ReplicasSetting } from '../subjects/accel-subject.js';
import type { BenchRunHeader } from '../bench-result.js';
import type { Summary } from '../statistics.js';

/** Percentiles of single requests' latencies, in milliseconds. */
export interface RequestLatency {
  readonly p50: number;
  readonly p99: number;
  /** Requests timed (warm-up bursts excluded). */
  readonly samples: number;
}

/** How every request sent to one side ended, warm-up bursts included. */
export interface RequestAccounting {
  readonly sent: number;
  /** Requests that got an answer (any status). */
  readonly answered: number;
  /** Answers that were not a success with the right vector: an error status, a bad body, a vector off the in-process one. */
  readonly errors: number;
  /** Requests that never got an answer: a dropped connection, or no answer within the request timeout. */
  readonly lost: number;
  /** The first few errors and losses, one line each. */
  readonly examples: readonly string[];
}

/** One side of the concurrent-singles comparison: in-process `accel.infer`, or HTTP clients on loopback. */
export interface ConcurrentSide {
  /** E.g. `accel.infer (in-process)`, `POST /v1/embeddings`. */
  readonly label: string;
  /** Time for a burst of `requests` concurrent single-item requests to be answered. */
  readonly burstMilliseconds: Summary;
  /** `requests` ÷ the median burst time. */
  readonly itemsPerSecond: number;
  readonly latency: RequestLatency;
  /**
   * Process CPU time per request while this side ran (every thread: event loop, HTTP client thread,
   * inference threads), warm-up included: what a request costs the machine, less sensitive than
   * throughput to other work running on it.
   */
  readonly cpuMillisecondsPerRequest?: number;
  /**
   * Time the main thread's event loop was busy per request (`performance.eventLoopUtilization`),
   * warm-up included: accel's scheduling, plus the server's handling for HTTP.
   */
  readonly mainLoopMillisecondsPerRequest?: number;
  /** Time the HTTP clients' thread was busy per request (sending, reading, JSON parsing, checking the vector). */
  readonly clientLoopMillisecondsPerRequest?: number;
  /**
   * The mean size of the batch a request ran in, warm-up included (in-process from provenance,
   * HTTP from the server's `accel_batch_size` histogram): requests that arrive spread out form
   * smaller batches than 64 submitted in one tick.
   */
  readonly meanBatchSize?: number;
  readonly accounting: RequestAccounting;
}

export interface ServerEmbeddingsResult {
  readonly description: string;
  readonly model: string;
  readonly backend: string;
  readonly status: 'measured' | 'failed' | 'skipped';
  readonly reason?: string;
  /** The route the HTTP clients called, and why when it is not `/v1/embeddings`. */
  readonly route?: string;
  readonly routeNote?: string;
  /** Requests per burst, each from its own client. */
  readonly requests?: number;
  /** How the endpoint ran (isolation, threads, replicas). */
  readonly notes?: readonly string[];
  readonly inProcess?: ConcurrentSide;
  readonly http?: ConcurrentSide;
  /** HTTP throughput ÷ in-process throughput. */
  readonly throughputRatio?: number;
  /** Batch sizes the scheduler formed for the last in-process burst, e.g. `[32, 32]`. */
  readonly inProcessBatchSizes?: readonly number[];
}

/** Time to the first generated text of a streamed generation. */
export interface FirstTokenSide {
  readonly label: string;
  readonly milliseconds: Summary;
  /** Generations that ended without any text (not timed). */
  readonly withoutText: number;
}

export interface ServerStreamingResult {
  readonly description: string;
  readonly model: string;
  readonly backend: string;
  readonly status: 'measured' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly route?: string;
  readonly tokens?: number;
  readonly inProcess?: FirstTokenSide;
  readonly http?: FirstTokenSide;
  /** The median over pairs (one in-process and one HTTP generation back to back) of HTTP − in-process, in milliseconds. */
  readonly overheadMilliseconds?: number;
  /** Pairs in which both generations produced text. */
  readonly pairs?: number;
}

/** A goal of issue 14's server bench. A comparison that did not run is `skipped`, never met. */
export interface ServerGoalResult {
  readonly id: string;
  readonly measure: string;
  /** E.g. `≥ 0.9`, `≤ 5 ms`, `= 0`. */
  readonly goal: string;
  readonly threshold: number;
  readonly measured?: number;
  readonly unit: '×' | 'ms' | 'requests';
  readonly status: 'met' | 'not met' | 'skipped';
  readonly note: string;
}

export interface ServerBenchResult extends BenchRunHeader {
  readonly kind: 'server';
  readonly replicas: ReplicasSetting;
  readonly embeddings: ServerEmbeddingsResult;
  readonly streaming: ServerStreamingResult;
  readonly goals: readonly ServerGoalResult[];
}
