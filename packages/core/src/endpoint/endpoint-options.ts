import type { BackendV1 } from '../backend/v1/backend-v1.js';
import type { Dtype } from '../backend/v1/dtype.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';
import type { SkillV1 } from '../skill/v1/skill-v1.js';

/** The unit a user manages: one skill's model on one device. */
export interface EndpointOptions {
  /** Unique id. Default `<skill>@<device>`, with `#2`, `#3`, … appended when taken. */
  readonly id?: string;
  /** A skill object, or the name of one the registry already knows. */
  readonly skill: SkillV1 | string;
  /** Hub id or local folder. Default: the skill's `defaultModel`. */
  readonly model?: string;
  /**
   * Re-hash the model's files against `accel-manifest.json` (SHA-256) on every load. Sizes are
   * always checked; hashing a large model takes seconds, so it is opt-in. Default false.
   */
  readonly verify?: boolean;
  /**
   * Device label: `cpu`, `cuda:0`, `openvino:GPU`, `wasm`, … The part before `:` names the
   * backend, which must be registered; a bare backend name means its preferred device.
   * `auto` means the best available registered backend by probe: cuda, then openvino, then cpu,
   * then wasm. `cuda:*` (any backend with `:*`) adds one endpoint per device the probe finds.
   * Default `cpu`.
   */
  readonly backend?: string;
  /**
   * Device labels to try, in order, when loading on `backend` fails or a run hits a recoverable
   * fault (out of memory, device lost). Each move is recorded in the result's provenance.
   */
  readonly fallback?: readonly string[];
  /** Default `fp32`. */
  readonly dtype?: Dtype;
  /** Longest input in tokens; longer inputs are truncated, and the provenance says so. Default: the model's. */
  readonly contextLength?: number;
  /** Most requests waiting in this endpoint's queue. Default 1024. */
  readonly maxQueueSize?: number;
  /** Batch limit, at most the skill's `maxBatchSize` (the default). */
  readonly maxBatchSize?: number;
  /** How long a queued item waits for batch-mates, in milliseconds. Default 0: the batch starts on `setImmediate`, after the requests of the current turn. */
  readonly batchWaitMs?: number;
  /**
   * `worker` (the default where worker threads exist and the skill and backend say where to import
   * them from): batches run on a shared pool of worker threads, so the event loop stays free.
   * `inline`: on the calling thread.
   */
  readonly isolation?: 'worker' | 'inline';
  /**
   * Copies of the model to load, each in its own worker thread with an equal part of the
   * endpoint's thread share (at least one thread each, so a share of 2 threads holds at most 2
   * copies). Queued items are split evenly between free copies, so batches run side by side:
   * more throughput for small models, lower latency for large batches, at the cost of memory
   * and of batch-1 latency on fewer threads. A number needs worker isolation. Default `'auto'`:
   * one copy per thread of the share (at most one per pool worker) when the model's weights —
   * the ONNX files the skill loads for the dtype — are at most 32 MiB (`autoReplicaMaxWeightBytes`),
   * where threads gain little inside one copy, else one; one when the endpoint runs inline.
   */
  readonly replicas?: number | 'auto';
  /** Merge identical in-flight requests (same content id) into one run. Default true. Streams are never merged. */
  readonly deduplicate?: boolean;
  /**
   * Load every session of the model when the endpoint loads. By default (false) a skill whose
   * sessions serve different requests loads each on the first request that needs it — CLIP's
   * vision tower for images, its text tower for texts — so image-only traffic never holds the
   * text tower in memory; status `modelFiles` and provenance `model.files` name the sessions
   * loaded so far. `true` makes `init` (and a server's `/ready`) mean every request runs without
   * a load. Skills whose sessions every request needs load them at init either way.
   */
  readonly preload?: boolean;
}

/** Backends and skills a registry starts with. */
export interface AccelOptions {
  readonly backends?: readonly BackendV1[];
  readonly skills?: readonly SkillV1[];
  readonly models?: ModelSourceOptions;
  /**
   * Intra-op threads all endpoints together may use. Each endpoint gets an equal share (at least
   * one) when it loads. Default: every core (`os.availableParallelism()` in Node).
   */
  readonly threads?: number;
  /** Worker threads in the shared pool (the first registry to start it sets it). Default: min(cores, 4). */
  readonly workers?: number;
}
