import type { SamplingPlan } from './sample-durations.js';

/** How long and how often each measure runs. */
export interface BenchSettings {
  readonly mode: 'quick' | 'full';
  /** Measures alternate between subjects this many times, so slow drift hits every subject alike. */
  readonly rounds: number;
  /** Per subject, per measure, per round. Warm-up applies in the first round only. */
  readonly sampling: SamplingPlan;
  /** For operations that take seconds (generation, speech). */
  readonly slowSampling: SamplingPlan;
  readonly batchSize: number;
  readonly concurrentRequests: number;
  readonly newTokens: number;
  /** How long each phase of the two-model measure sends requests. */
  readonly coServingPhaseMs: number;
  /**
   * Idle time after the subjects of a cell have loaded, before measuring: loading a large model
   * slows the whole process for a while afterwards (garbage collection and page faults of the
   * freshly loaded weights), and that must not land on whichever subject is measured first.
   */
  readonly settleMs: number;
}

export const quickSettings: BenchSettings = {
  mode: 'quick',
  rounds: 2,
  sampling: { warmup: 1, minSamples: 5, maxSamples: 200, budgetMs: 500, limitMs: 1500 },
  // Generation at the goal's 32 tokens, with enough samples to hold still: 8-token runs of 2
  // samples moved the gpt2 ratio between 1.05 and 1.7 on this machine.
  slowSampling: { warmup: 1, minSamples: 3, maxSamples: 20, budgetMs: 1500, limitMs: 4000 },
  batchSize: 32,
  concurrentRequests: 64,
  newTokens: 32,
  coServingPhaseMs: 1500,
  settleMs: 1500,
};

export const fullSettings: BenchSettings = {
  mode: 'full',
  rounds: 3,
  sampling: { warmup: 2, minSamples: 5, maxSamples: 400, budgetMs: 600, limitMs: 3000 },
  slowSampling: { warmup: 1, minSamples: 3, maxSamples: 30, budgetMs: 1000, limitMs: 6000 },
  batchSize: 32,
  concurrentRequests: 64,
  newTokens: 32,
  coServingPhaseMs: 3000,
  settleMs: 2000,
};

/** For tests on tiny models: every measure runs, as briefly as possible. */
export const smokeSettings: BenchSettings = {
  mode: 'quick',
  rounds: 1,
  sampling: { warmup: 1, minSamples: 2, maxSamples: 3, budgetMs: 0, limitMs: 60_000 },
  slowSampling: { warmup: 0, minSamples: 1, maxSamples: 2, budgetMs: 0, limitMs: 60_000 },
  batchSize: 32,
  concurrentRequests: 64,
  newTokens: 3,
  coServingPhaseMs: 150,
  settleMs: 0,
};

/** How long `accel bench --server` measures: bursts of concurrent requests and streamed generations, alternating in-process and HTTP. */
export interface ServerBenchSettings {
  readonly mode: 'quick' | 'full';
  /** In-process and HTTP take turns this many times, each round starting with the other one. */
  readonly rounds: number;
  /** Bursts of `concurrentRequests` single-item requests, per side and round. Warm-up in the first round only. */
  readonly sampling: SamplingPlan;
  /** Streamed generations, per side and round. */
  readonly streamSampling: SamplingPlan;
  readonly concurrentRequests: number;
  /** Tokens each streamed generation asks for; the first one is what is timed. */
  readonly streamTokens: number;
  /** Idle time after loading, before measuring (see `BenchSettings.settleMs`). */
  readonly settleMs: number;
}

export const quickServerSettings: ServerBenchSettings = {
  mode: 'quick',
  rounds: 4,
  sampling: { warmup: 2, minSamples: 5, maxSamples: 200, budgetMs: 750, limitMs: 3000 },
  streamSampling: { warmup: 1, minSamples: 5, maxSamples: 40, budgetMs: 1000, limitMs: 4000 },
  concurrentRequests: 64,
  streamTokens: 4,
  settleMs: 1500,
};

export const fullServerSettings: ServerBenchSettings = {
  mode: 'full',
  rounds: 6,
  sampling: { warmup: 2, minSamples: 8, maxSamples: 400, budgetMs: 1500, limitMs: 5000 },
  streamSampling: { warmup: 1, minSamples: 8, maxSamples: 60, budgetMs: 2000, limitMs: 6000 },
  concurrentRequests: 64,
  streamTokens: 4,
  settleMs: 2000,
};

/** For tests on tiny models: every measure runs, as briefly as possible. */
export const smokeServerSettings: ServerBenchSettings = {
  mode: 'quick',
  rounds: 2,
  sampling: { warmup: 1, minSamples: 2, maxSamples: 3, budgetMs: 0, limitMs: 60_000 },
  streamSampling: { warmup: 0, minSamples: 2, maxSamples: 3, budgetMs: 0, limitMs: 60_000 },
  concurrentRequests: 64,
  streamTokens: 3,
  settleMs: 0,
};
