import type { ReplicasSetting } from '../subjects/accel-subject.js';
import type { MemoryMeasurement, SubjectRole } from '../bench-result.js';
import type { BenchSettings } from '../bench-settings.js';

/** The environment variable that carries a memory probe child's setup (JSON). */
export const memoryProbeSetupVariable = 'ACCEL_BENCH_MEMORY_PROBE';

/** What one memory probe child measures: one subject of one profile on one backend. */
export interface MemoryProbeSetup {
  readonly profile: string;
  readonly backend: string;
  readonly role: SubjectRole;
  /** The forged model folder. */
  readonly model: string;
  /** Where the profile writes its generated inputs (images, audio). */
  readonly inputsDirectory: string;
  /** The run's settings (the same first requests as the timing: batch size, measures by mode). */
  readonly settings: BenchSettings;
  /** Replicas of accel's endpoint (`--replicas`). */
  readonly replicas: ReplicasSetting;
  /** RSS sampling interval. */
  readonly intervalMs: number;
}

/** The child's one answer over IPC. */
export type MemoryProbeReply =
  | { readonly type: 'measured'; readonly label: string; readonly measurement: MemoryMeasurement }
  | { readonly type: 'skipped'; readonly label: string; readonly reason: string }
  | { readonly type: 'failed'; readonly label?: string; readonly message: string };
