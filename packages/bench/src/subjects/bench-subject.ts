import type { SubjectRole } from '../bench-result.js';

/**
 * Something the bench measures on one model: accel, the runtime called directly, or the
 * transformers.js pipeline. It implements the operations its profile's measures need; an absent
 * operation is a measure this subject does not take part in.
 */
export interface BenchSubject {
  readonly role: SubjectRole;
  readonly label: string;
  readonly runtime: string;
  /** Facts about how it ran, for the report (isolation, thread count, what its time includes). */
  readonly notes: readonly string[];
  load(): Promise<void>;
  /** One request of one item; `index` picks the sample. */
  runSingle?(index: number): Promise<void>;
  /** One request of `size` items. */
  runBatch?(size: number): Promise<void>;
  /** `count` single-item requests at once; returns the batch sizes formed, when known. */
  runConcurrent?(count: number): Promise<readonly number[] | undefined>;
  /** Greedy generation of up to `newTokens` tokens; returns how many were generated. */
  generate?(newTokens: number): Promise<number>;
  dispose(): Promise<void>;
}

/** A peer that does not apply on a backend, and why. */
export interface SkippedSubject {
  readonly role: SubjectRole;
  readonly label: string;
  readonly skipped: string;
}
