import type { ReplicasSetting } from './subjects/accel-subject.js';
import type { AgreementResult } from './agreement.js';
import type { Summary } from './statistics.js';

/** Who ran a measurement: accel, the runtime called directly, or the transformers.js pipeline. */
export type SubjectRole = 'accel' | 'onnxruntime' | 'pipeline';

/** What a profile's model does, which decides the measures. */
export type ProfileFamily = 'text-embedding' | 'vision' | 'generation' | 'speech';

/** Batch-1 latency: one request of one item, repeated. */
export interface LatencyMeasurement {
  readonly milliseconds: Summary;
}

/** One request of `batchSize` items, repeated. */
export interface BatchMeasurement {
  readonly batchSize: number;
  readonly milliseconds: Summary;
  /** `batchSize` ÷ the median time. */
  readonly itemsPerSecond: number;
}

/** `requests` single-item requests sent at once (`Promise.all`), repeated. */
export interface ConcurrentMeasurement {
  readonly requests: number;
  readonly milliseconds: Summary;
  readonly itemsPerSecond: number;
  /** Longest event-loop delay seen while the requests ran (`monitorEventLoopDelay`), over every sample. */
  readonly eventLoopMaxDelayMs: number;
  /** The median over samples of each sample's longest delay: tells a one-off pause from a steady one. */
  readonly eventLoopMaxDelayMedianMs?: number;
  /** Batch sizes the scheduler formed (accel only), e.g. `[32, 32]`. */
  readonly batchSizes?: readonly number[];
}

/** Greedy generation of `newTokens` tokens. */
export interface GenerationMeasurement {
  readonly newTokens: number;
  /** A request for `newTokens` tokens. */
  readonly milliseconds: Summary;
  readonly tokensPerSecond: number;
  /** A request for one token: prompt processing plus the first step. */
  readonly firstTokenMilliseconds: Summary;
}

/** One audio window transcribed. */
export interface SpeechMeasurement {
  readonly audioSeconds: number;
  readonly newTokens: number;
  readonly milliseconds: Summary;
  /** Processing time ÷ audio duration (below 1 is faster than realtime). */
  readonly realtimeFactor: number;
}

/**
 * One subject's peak resident memory, measured in a fresh child process of its own (the memory
 * probe) while it loaded and answered its first requests, so no other subject's leftovers count.
 */
export interface MemoryMeasurement {
  /** The child's peak RSS, in bytes: the highest of its samples and the kernel's high-water mark. */
  readonly peakRssBytes: number;
  /** The child's RSS once the libraries every subject shares were imported, just before this subject loaded. */
  readonly baselineRssBytes: number;
  /** Peak minus baseline: what loading the subject and answering its first requests took. */
  readonly addedRssBytes: number;
  /**
   * RSS after the first requests minus baseline (this thread's garbage collected first): what the
   * loaded subject holds, without the load's transient peak, which varies more between runs.
   */
  readonly heldRssBytes: number;
  /** The child's RSS when it started, before importing anything heavy. */
  readonly freshRssBytes: number;
  /** Where the peak came from: `VmHWM` (Linux /proc/self/status), `maxRSS` (process.resourceUsage) or only the samples. */
  readonly kernelPeak: 'VmHWM' | 'maxRSS' | 'samples only';
  /** RSS samples taken (every `intervalMs`, and between the steps). */
  readonly samples: number;
}

/** One subject's memory probe in one cell. */
export interface SubjectMemoryResult {
  readonly role: SubjectRole;
  readonly label: string;
  readonly status: 'measured' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly measurement?: MemoryMeasurement;
}

/** The memory probe of one cell: each subject in a child process of its own, one after another, after the timing. */
export interface CellMemoryResult {
  /** What the first requests were, e.g. `load, 1 request of 1 item, 1 request of 32 items`. */
  readonly requests: string;
  readonly subjects: readonly SubjectMemoryResult[];
}

export interface SubjectMeasurements {
  readonly loadMs?: number;
  readonly latency?: LatencyMeasurement;
  readonly batch?: BatchMeasurement;
  readonly concurrent?: ConcurrentMeasurement;
  readonly generation?: GenerationMeasurement;
  readonly speech?: SpeechMeasurement;
}

/** One subject's measurements in one cell. */
export interface SubjectResult {
  readonly role: SubjectRole;
  /** E.g. `accel (worker isolation)`, `onnxruntime-node session.run`. */
  readonly label: string;
  /** Runtime library and version. */
  readonly runtime: string;
  readonly status: 'measured' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly measurements: SubjectMeasurements;
  readonly notes: readonly string[];
}

/** A ratio between two subjects' measurements, taken in the same run. */
export interface RatioResult {
  /** Stable id, e.g. `batch-time/onnxruntime`. */
  readonly id: string;
  /** E.g. `batch 32 time, accel ÷ onnxruntime`. */
  readonly label: string;
  readonly value: number;
  /** Which direction is good for accel. */
  readonly better: 'lower' | 'higher';
  readonly peer: Exclude<SubjectRole, 'accel'>;
}

/** One profile (skill and model) on one backend. */
export interface CellResult {
  readonly profile: string;
  readonly skill: string;
  readonly model: string;
  readonly family: ProfileFamily;
  readonly backend: string;
  /** The weights' dtype, for a quantized profile (absent: fp32). */
  readonly dtype?: string;
  readonly status: 'measured' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly subjects: readonly SubjectResult[];
  readonly ratios: readonly RatioResult[];
  /** A quantized profile's agreement with fp32 on the same inputs (accel's outputs, untimed). */
  readonly agreement?: AgreementResult;
  /** accel's preprocessing of one input, timed alone (see `PreparedProfile.preprocessing`). */
  readonly preprocessing?: PreprocessingResult;
  /** Peak RSS of each subject, each in a child process of its own (after the timing rounds). */
  readonly memory?: CellMemoryResult;
}

/** Each model's throughput when served together with another, ÷ its throughput alone. */
export interface CoServingSide {
  readonly model: string;
  readonly aloneItemsPerSecond: number;
  readonly togetherItemsPerSecond: number;
  readonly fraction: number;
}

export interface CoServingResult {
  readonly description: string;
  readonly backend: string;
  readonly status: 'measured' | 'failed' | 'skipped';
  readonly reason?: string;
  /** Two endpoints in one registry (worker isolation, shared thread budget). */
  readonly accel?: readonly CoServingSide[];
  /** Two transformers.js pipelines in one process, called concurrently. */
  readonly naive?: readonly CoServingSide[];
}

export interface GoalResult {
  readonly id: string;
  readonly measure: string;
  readonly goal: string;
  /** The goal's bound, in `unit`. */
  readonly threshold: number;
  /** The measured value, or undefined when the run did not measure it. */
  readonly measured?: number;
  readonly unit: '×' | 'ms';
  readonly status: 'met' | 'not met' | 'not measured';
  /** The peer's value in the same run, for context, or why it was not measured. */
  readonly note: string;
  /** With `--repeat N`: the value of each run; `measured` is their median, and the status is the median's. */
  readonly spread?: GoalSpread;
}

/** A value over the runs of `accel bench --repeat N`. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** Each run's value, in run order (runs that did not measure it are left out). */
  readonly values: readonly number[];
}

export interface GoalSpread extends Spread {
  /** Runs in which the goal was measured, of `runs`. */
  readonly measuredIn: number;
  readonly runs: number;
}

/** One ratio of one cell over the runs of `--repeat N`. */
export interface RatioSpread extends Spread {
  readonly profile: string;
  readonly backend: string;
  readonly id: string;
  readonly label: string;
  readonly better: 'lower' | 'higher';
}

/** One run of `--repeat N`, as measured. */
export interface RunResult {
  readonly durationSeconds: number;
  readonly loadAverageStart: number;
  readonly loadAverageEnd: number;
  readonly cells: readonly CellResult[];
  readonly coServing?: CoServingResult;
  /** This run's goals, each evaluated on this run alone. */
  readonly goals: readonly GoalResult[];
}

/** `accel bench --repeat N`: every run, and every ratio's spread over them. */
export interface RepeatResult {
  readonly runs: readonly RunResult[];
  readonly ratios: readonly RatioSpread[];
}

export interface BackendAvailability {
  readonly backend: string;
  readonly available: boolean;
  readonly selected: boolean;
  readonly runtime?: string;
  readonly reason?: string;
}

export interface MachineDescription {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly platform: string;
  readonly node: string;
  /** 1-minute load average at the start and the end: other work on the machine skews absolute numbers. */
  readonly loadAverageStart: number;
  readonly loadAverageEnd: number;
}

/** What every mode's result (`--server`, `--cluster`, `--scaling`) opens with: when, how and where it ran. */
export interface BenchRunHeader {
  readonly generatedAt: string;
  readonly command: string;
  readonly mode: 'quick' | 'full';
  readonly modelSize: 'tiny' | 'full';
  readonly machine: MachineDescription;
  readonly versions: Readonly<Record<string, string>>;
  readonly durationSeconds: number;
}

export interface BenchResult {
  readonly generatedAt: string;
  readonly command: string;
  readonly mode: 'quick' | 'full';
  readonly modelSize: 'tiny' | 'full';
  /** Replicas of each accel endpoint in this run (`--replicas`). */
  readonly replicas: ReplicasSetting;
  readonly machine: MachineDescription;
  readonly versions: Readonly<Record<string, string>>;
  readonly durationSeconds: number;
  readonly backends: readonly BackendAvailability[];
  readonly cells: readonly CellResult[];
  readonly coServing?: CoServingResult;
  /** Goals: with `--repeat N`, each one's median over the runs (met only if met in the median) with its spread. */
  readonly goals: readonly GoalResult[];
  /** With `--repeat N` (N > 1): `cells` and `coServing` are run 1's; every run and every ratio's spread are here. */
  readonly repeat?: RepeatResult;
}

/** accel's preprocessing of one input timed by itself: what it covers, and the median of its samples. */
export interface PreprocessingResult {
  readonly what: string;
  readonly status: 'measured' | 'failed';
  readonly reason?: string;
  readonly medianMs?: number;
  readonly samples?: number;
}
