import type { BackendV1, Dtype, SkillV1 } from '@accel/core';
import type { AgreementResult } from '../agreement.js';
import type { PreprocessingResult, ProfileFamily } from '../bench-result.js';
import type { BenchSettings } from '../bench-settings.js';
import type { AccelEndpointSettings } from '../subjects/accel-subject.js';
import type { BenchSubject, SkippedSubject } from '../subjects/bench-subject.js';

/** The skill a profile measures: its name (`--skills` matches it) and how its package is loaded (only when the run reaches it). */
export interface BenchSkill {
  readonly name: string;
  load(): Promise<SkillV1>;
}

/** A measure a profile asks for; load time and memory are always taken. */
export type MeasureName = 'latency' | 'batch' | 'concurrent' | 'generation' | 'speech';

export interface ProfileContext {
  /** The forged model folder. */
  readonly model: string;
  /** A folder for generated inputs (images, audio). */
  readonly inputsDirectory: string;
  readonly settings: BenchSettings;
}

/** A profile's inputs, built once per run, and the subjects that measure them. */
export interface PreparedProfile {
  accel(skill: SkillV1, backend: BackendV1, endpoint: AccelEndpointSettings): BenchSubject;
  /** The peers that apply on this backend; one that does not apply says why. */
  peers(backend: string): Promise<Array<BenchSubject | SkippedSubject>>;
  /** Length of the audio each request carries (speech). */
  readonly audioSeconds?: number;
  /** A quantized profile: how closely accel's output with its dtype follows accel's fp32 output on the same inputs (run once, untimed). */
  agreement?(skill: SkillV1, backend: BackendV1): Promise<AgreementResult>;
  /**
   * How long accel's preprocessing of one input takes by itself, on the bench's thread, after the
   * cell's rounds (a profile whose raw peer is timed on prepared inputs: what accel's time includes
   * and the peer's does not).
   */
  preprocessing?(): Promise<PreprocessingResult>;
}

/**
 * How to benchmark one skill on one model: which measures, how to build inputs, which peers
 * apply. Adding a skill to the bench is one such file in `profiles/`, listed in `profiles/index.ts`.
 */
export interface BenchProfile {
  /** The row's name, e.g. `bert-tiny`; `--skills` matches it or the skill's name. */
  readonly id: string;
  readonly skill: BenchSkill;
  /** The model forge preset. */
  readonly model: string;
  readonly family: ProfileFamily;
  /** The weights' dtype when not fp32 (`q8`: `onnx/model_quantized.onnx`, dynamic int8 MatMul). */
  readonly dtype?: Dtype;
  /** The fp32 profile of the same model, which a quantized profile's speed-up is taken against. */
  readonly baseline?: string;
  readonly measures: readonly MeasureName[];
  /** The backends `--quick` runs it on; absent: not part of `--quick`. */
  readonly quickBackends?: readonly string[];
  /** The measures `--quick` takes, when fewer than `measures` (slow models keep the quick run short). */
  readonly quickMeasures?: readonly MeasureName[];
  /** Available backends it is not measured on, with the reason the report gives. */
  readonly skipBackends?: Readonly<Record<string, string>>;
  prepare(context: ProfileContext): Promise<PreparedProfile>;
}
