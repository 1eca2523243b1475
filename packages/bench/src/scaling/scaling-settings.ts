import type { SamplingPlan } from '../sample-durations.js';

/** How one point of a sweep is measured: warm-up, then accel and raw onnxruntime in alternating rounds. */
export interface PointPlan {
  /** Untimed runs of each side before its first timed round at each point (the new shape's first run allocates). */
  readonly warmup: number;
  /** Timed runs per side per round (`warmup` there is ignored): a slow point stops at one sample once `limitMs` has passed. */
  readonly sampling: SamplingPlan;
  /** Rounds always taken, and at most; between them, more rounds while the point has taken less than `budgetMs`. */
  readonly minRounds: number;
  readonly maxRounds: number;
  readonly budgetMs: number;
}

export interface ScalingSweepSettings {
  readonly points: readonly number[];
  readonly plan: PointPlan;
}

/** The sweeps of `accel bench --scaling` and how long each point runs. */
export interface ScalingSettings {
  readonly mode: 'quick' | 'full';
  /** MiniLM batch sizes, at `batchSweepSequence` tokens per text. */
  readonly miniLmBatch: ScalingSweepSettings;
  readonly batchSweepSequence: number;
  /** MiniLM sequence lengths (tokens per text, [CLS] and [SEP] included), at `sequenceSweepBatch` texts per batch. */
  readonly miniLmSequence: ScalingSweepSettings;
  readonly sequenceSweepBatch: number;
  /** gpt2 new tokens per greedy generation. */
  readonly gpt2Tokens: ScalingSweepSettings;
  /** Seconds of audio per whisper-tiny request. */
  readonly whisperAudio: ScalingSweepSettings;
  /** Greedy tokens per 30 s window (the main bench's whisper budget). */
  readonly whisperTokens: number;
  /** Idle time after a sweep's subjects have loaded, before measuring (see `BenchSettings.settleMs`). */
  readonly settleMs: number;
}

const fastPoint: PointPlan = {
  warmup: 1,
  sampling: { warmup: 0, minSamples: 2, maxSamples: 20, budgetMs: 400, limitMs: 1500 },
  minRounds: 2,
  maxRounds: 3,
  budgetMs: 6000,
};

/**
 * The full sweep, sized to about 6–8 minutes on 2 cores: the big points (MiniLM batch 256,
 * sequence 512, gpt2's 256 and 512 tokens, 120 s of audio) take one timed sample per side per
 * round, and gpt2 and whisper's slow points as few rounds as the point budget allows (at least 2
 * below 256 tokens, 1 above, each side first in turn from one point to the next).
 */
export const fullScalingSettings: ScalingSettings = {
  mode: 'full',
  miniLmBatch: { points: [1, 2, 4, 8, 16, 32, 64, 128, 256], plan: fastPoint },
  batchSweepSequence: 32,
  miniLmSequence: { points: [16, 32, 64, 128, 256, 512], plan: fastPoint },
  sequenceSweepBatch: 8,
  gpt2Tokens: {
    points: [32, 64, 128, 256, 512],
    plan: { warmup: 0, sampling: { warmup: 0, minSamples: 1, maxSamples: 3, budgetMs: 0, limitMs: 2500 }, minRounds: 1, maxRounds: 2, budgetMs: 15_000 },
  },
  whisperAudio: {
    points: [10, 30, 60, 120],
    plan: { warmup: 1, sampling: { warmup: 0, minSamples: 1, maxSamples: 3, budgetMs: 0, limitMs: 2500 }, minRounds: 2, maxRounds: 3, budgetMs: 15_000 },
  },
  whisperTokens: 32,
  settleMs: 1500,
};

/** `--quick`: fewer points (well under 2 minutes on 2 cores). */
export const quickScalingSettings: ScalingSettings = {
  mode: 'quick',
  miniLmBatch: { points: [1, 4, 16, 64], plan: { ...fastPoint, maxRounds: 2, budgetMs: 3000 } },
  batchSweepSequence: 32,
  miniLmSequence: { points: [16, 64, 256], plan: { ...fastPoint, maxRounds: 2, budgetMs: 3000 } },
  sequenceSweepBatch: 8,
  gpt2Tokens: {
    points: [32, 64, 128],
    plan: { warmup: 0, sampling: { warmup: 0, minSamples: 1, maxSamples: 2, budgetMs: 0, limitMs: 1500 }, minRounds: 1, maxRounds: 2, budgetMs: 5000 },
  },
  whisperAudio: {
    points: [10, 30, 60],
    plan: { warmup: 1, sampling: { warmup: 0, minSamples: 1, maxSamples: 2, budgetMs: 0, limitMs: 1500 }, minRounds: 1, maxRounds: 2, budgetMs: 6000 },
  },
  whisperTokens: 32,
  settleMs: 1000,
};

/** For tests on tiny models: two or three points per sweep, one sample each. */
export const smokeScalingSettings: ScalingSettings = {
  mode: 'quick',
  miniLmBatch: { points: [1, 2, 4], plan: { warmup: 1, sampling: { warmup: 0, minSamples: 1, maxSamples: 1, budgetMs: 0, limitMs: 60_000 }, minRounds: 1, maxRounds: 1, budgetMs: 0 } },
  batchSweepSequence: 16,
  miniLmSequence: { points: [8, 16], plan: { warmup: 1, sampling: { warmup: 0, minSamples: 1, maxSamples: 1, budgetMs: 0, limitMs: 60_000 }, minRounds: 1, maxRounds: 1, budgetMs: 0 } },
  sequenceSweepBatch: 2,
  gpt2Tokens: { points: [2, 4], plan: { warmup: 0, sampling: { warmup: 0, minSamples: 1, maxSamples: 1, budgetMs: 0, limitMs: 60_000 }, minRounds: 1, maxRounds: 1, budgetMs: 0 } },
  whisperAudio: { points: [10, 60], plan: { warmup: 1, sampling: { warmup: 0, minSamples: 1, maxSamples: 1, budgetMs: 0, limitMs: 60_000 }, minRounds: 1, maxRounds: 1, budgetMs: 0 } },
  whisperTokens: 3,
  settleMs: 0,
};
