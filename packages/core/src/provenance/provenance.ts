import type { Dtype } from '../backend/v1/dtype.js';

/** One step of a fallback chain: the request left `from` for `to` because of `reason`. */
export interface FallbackStep {
  /** Endpoint id or device label that failed. */
  readonly from: string;
  /** Endpoint id or device label that was tried next. */
  readonly to: string;
  readonly reason: string;
  /** Error code of the failure, e.g. `ACCEL_OUT_OF_MEMORY`. */
  readonly code?: string;
}

/** Something the skill did to an item that the caller should know about, e.g. truncation. */
export interface ProvenanceNote {
  readonly kind: 'truncated' | 'info';
  /** Index of the item within the request's input, when the note concerns one item. */
  readonly item?: number;
  readonly message: string;
}

/** Tokens one request read and wrote: what an OpenAI `usage` reports. */
export interface TokenUsage {
  /** Tokens of the prompt or input texts the model read. */
  readonly inputTokens: number;
  /** Tokens the model generated (0 for skills that generate none). */
  readonly outputTokens: number;
}

/** Milliseconds spent in each phase of one request. */
export interface ProvenanceTimings {
  /** From `infer` to the start of the batch that ran the request's first item. */
  readonly queuedMs: number;
  /** Time inside the skill's `run` for the batches that served the request. */
  readonly inferenceMs: number;
  /** From `infer` to the result. */
  readonly totalMs: number;
  /** How long the endpoint took to load, for the record. */
  readonly endpointLoadMs: number;
  /** Skill-specific timings (realtime factor, tokens/s, …). */
  readonly [extra: string]: number;
}

/**
 * What really happened to one request. Every result carries one; there is no mock state.
 */
export interface Provenance {
  readonly endpoint: string;
  readonly skill: string;
  readonly task: string;
  /** Backend that ran the request, e.g. `cpu`. */
  readonly backend: string;
  /** Device label that ran it, e.g. `cpu` or `cuda:0`. */
  readonly device: string;
  readonly dtype: Dtype;
  /** `worker`: the batch ran on a worker thread; `inline`: on the thread that called `infer`. */
  readonly isolation: 'worker' | 'inline';
  /** Runtime library and version, e.g. `onnxruntime-node 1.30.0`. */
  readonly runtime?: string;
  /**
   * Threads the runtime ran the request with: what the backend's sessions report (the wasm
   * backend: onnxruntime-web's WebAssembly threads), else the endpoint's share of the thread budget.
   */
  readonly threads?: number;
  readonly model: {
    readonly id: string;
    /** Absolute folder the files were read from. */
    readonly directory: string;
    /** The hub commit the files came from, when the folder's `accel-manifest.json` records one. */
    readonly revision?: string;
    /** Model files loaded, relative to `directory`. */
    readonly files: readonly string[];
  };
  /** SHA-256 of the request's canonical content; identical in-flight requests share one run. */
  readonly contentId?: string;
  /** True when this request was merged with an identical one already in flight. */
  readonly deduplicated?: boolean;
  /** Sizes of the batches the request's items ran in (one entry per batch). */
  readonly batchSizes: readonly number[];
  readonly timings: ProvenanceTimings;
  /** Tokens read and written, summed over the request's items, for skills that count them. */
  readonly usage?: TokenUsage;
  /**
   * This request's own trail: the moves its endpoint made while the request was in flight (the load
   * it waited for, a fault in its batch). Empty when it did not move; `status().fallbacks` keeps the
   * endpoint's whole history.
   */
  readonly fallbacks: readonly FallbackStep[];
  readonly notes: readonly ProvenanceNote[];
}

/** A skill's output together with the record of how it was produced. */
export interface InferResult<Output> {
  readonly output: Output;
  readonly provenance: Provenance;
}
