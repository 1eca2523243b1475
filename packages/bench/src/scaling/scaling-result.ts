import type { BenchRunHeader } from '../bench-result.js';
import type { Summary } from '../statistics.js';
import type { CurveFit, GrowthStep } from './fit.js';

/** The four sweeps of `accel bench --scaling`. */
export type SweepId = 'minilm-batch' | 'minilm-sequence' | 'gpt2-tokens' | 'whisper-audio';

/** One side (accel or raw onnxruntime) at one point of a sweep. */
export interface ScalingSide {
  readonly label: string;
  /** Wall time of one request (one batch, one generation, one transcription), over every timed sample. */
  readonly milliseconds: Summary;
  /**
   * Units of work one request really did (median), in the swept variable's unit: items in the batch,
   * tokens per text (sequence sweep), tokens generated (accel may stop at end-of-sequence; the raw
   * loop always produces the tokens asked), seconds of audio.
   */
  readonly units: number;
  /** The cost the ratio and the fits compare, in ms (see `ScalingSweep.cost`). */
  readonly cost: number;
  /** Median time per unit: ms per item, per token, per second of audio. */
  readonly perUnitMilliseconds: number;
}

/** One point of a sweep: both sides, measured in alternating rounds. */
export interface ScalingPoint {
  /** The swept value: batch size, sequence length, new tokens, seconds of audio. */
  readonly x: number;
  readonly status: 'measured' | 'failed';
  readonly reason?: string;
  readonly accel?: ScalingSide;
  readonly raw?: ScalingSide;
  /** accel's cost ÷ raw's cost. */
  readonly ratio?: number;
  /** Alternating rounds taken at this point (each runs both sides, in turns). */
  readonly rounds: number;
  /** What else this point measured: the KV cache size (computed), the windows the audio was cut into, …. */
  readonly details?: Readonly<Record<string, number>>;
}

/** One sweep: its points, the two fitted curves, and the steps between consecutive points. */
export interface ScalingSweep {
  readonly id: SweepId;
  readonly title: string;
  readonly model: string;
  readonly backend: 'cpu';
  /** What is swept (e.g. `batch size`), and its unit for the per-unit column (e.g. `item`). */
  readonly variable: string;
  readonly unit: string;
  /** What is fixed (e.g. `sequence length 32`). */
  readonly fixed: string;
  /** What `cost` is, in words. */
  readonly cost: string;
  readonly status: 'measured' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly points: readonly ScalingPoint[];
  /** How each side ran (isolation, threads, what the raw peer's time includes). */
  readonly notes: { readonly accel: readonly string[]; readonly raw: readonly string[] };
  /** Fitted over the measured points (at least two). */
  readonly fits?: { readonly accel: CurveFit; readonly raw: CurveFit };
  readonly steps?: readonly GrowthStep[];
  /** Caveats of this sweep (how the raw peer matches accel's work, and where it cannot). */
  readonly caveats: readonly string[];
}

/** A goal of issue 17 §3 for one sweep. A sweep that did not run is `skipped`, never met. */
export interface ScalingGoalResult {
  readonly id: string;
  readonly sweep: SweepId;
  readonly measure: string;
  readonly goal: string;
  readonly threshold: number;
  readonly measured?: number;
  readonly status: 'met' | 'not met' | 'skipped';
  /** Why: the points or steps over the threshold, or that all are within it. */
  readonly note: string;
}

export interface ScalingBenchResult extends BenchRunHeader {
  readonly kind: 'scaling';
  /** A step where accel's growth exceeds raw's by more than this fraction is flagged (goal b). */
  readonly growthTolerance: number;
  /** accel ÷ raw at every point must be at most this (goal a). */
  readonly ratioThreshold: number;
  readonly sweeps: readonly ScalingSweep[];
  readonly goals: readonly ScalingGoalResult[];
}
