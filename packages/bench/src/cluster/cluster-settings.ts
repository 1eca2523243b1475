import type { SamplingPlan } from '../sample-durations.js';

/** How long `accel bench --cluster` measures. */
export interface ClusterBenchSettings {
  readonly mode: 'quick' | 'full';
  /** 1-worker and 2-worker rounds alternate this many times each (each round starting with the other side). */
  readonly rounds: number;
  /** Requests kept outstanding at once during a throughput round (each finished one is replaced at once). */
  readonly concurrency: number;
  /** Load sent before the first counted window of each side, not counted (model warm-up, first batches). */
  readonly warmupMs: number;
  /** Load sent at the start of every round before its window is counted (the pipeline fills up). */
  readonly rampMs: number;
  /** The counted part of a throughput round. */
  readonly windowMs: number;
  /** Pairs of batch-of-1 requests (in-process, then through the cluster, or the other way round), per round. */
  readonly latencySampling: SamplingPlan;
  /** Rounds of latency pairs. */
  readonly latencyRounds: number;
  /** Each worker's endpoint: the largest batch its registry forms. */
  readonly maxBatchSize: number;
  /** Jobs a worker holds at once: one batch running and the next one forming. */
  readonly maxInFlight: number;
  /** Idle time after the models have loaded, before measuring (see `BenchSettings.settleMs`). */
  readonly settleMs: number;
}

export const quickClusterSettings: ClusterBenchSettings = {
  mode: 'quick',
  rounds: 3,
  concurrency: 128,
  warmupMs: 2000,
  rampMs: 500,
  windowMs: 3000,
  latencySampling: { warmup: 5, minSamples: 40, maxSamples: 150, budgetMs: 2000, limitMs: 6000 },
  latencyRounds: 2,
  maxBatchSize: 16,
  maxInFlight: 32,
  settleMs: 1500,
};

export const fullClusterSettings: ClusterBenchSettings = {
  mode: 'full',
  // Many short rounds rather than a few long ones: on a shared machine, another process's burst then spoils one round of many.
  rounds: 8,
  concurrency: 128,
  warmupMs: 3000,
  rampMs: 750,
  windowMs: 4000,
  latencySampling: { warmup: 5, minSamples: 80, maxSamples: 400, budgetMs: 4000, limitMs: 10_000 },
  latencyRounds: 3,
  maxBatchSize: 16,
  maxInFlight: 32,
  settleMs: 2000,
};

/** For tests on tiny models: every measure runs, as briefly as possible. */
export const smokeClusterSettings: ClusterBenchSettings = {
  mode: 'quick',
  rounds: 1,
  concurrency: 128,
  warmupMs: 200,
  rampMs: 100,
  windowMs: 400,
  latencySampling: { warmup: 1, minSamples: 5, maxSamples: 10, budgetMs: 0, limitMs: 30_000 },
  latencyRounds: 1,
  maxBatchSize: 16,
  maxInFlight: 32,
  settleMs: 0,
};
