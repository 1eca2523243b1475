/** Per-call options of `infer`, besides the skill's own options. */
export interface InferCallOptions {
  /** Run on this endpoint instead of the least-loaded one serving the skill. */
  readonly endpoint?: string;
  /** Cancels the request; a queued request is dropped without disturbing its batch-mates. */
  readonly signal?: AbortSignal;
  /** Rejects with `TimeoutError` after this many milliseconds. */
  readonly timeoutMs?: number;
}
