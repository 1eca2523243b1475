/** Options of the CPU backend. */
export interface CpuBackendOptions {
  /**
   * Intra-op threads each session may use: the backend's thread budget. Default: every core
   * this process may use (`os.availableParallelism()`). Give several endpoints a share each
   * (e.g. `threads: 1` for two endpoints on two cores) so they never oversubscribe the CPU.
   */
  readonly threads?: number;
  /** Inter-op threads per session. Default 1. */
  readonly interOpThreads?: number;
  /**
   * How a session's idle intra-op threads wait for their next piece of work. `'during-runs'`
   * (default): they spin between the steps of a run, so each step starts without a wake-up, and
   * stop spinning the moment the run returns (onnxruntime's `session.force_spinning_stop`), so an
   * idle endpoint takes no CPU from anything else. `'always'`: onnxruntime's own default, they
   * also keep spinning for a while after each run, which takes cores from other sessions and
   * threads. `'never'`: they sleep between steps (each step pays a wake-up).
   */
  readonly spinning?: CpuSpinning;
  /** onnxruntime graph optimisation level. Default `all`. */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** `CpuBackendOptions.spinning`. */
export type CpuSpinning = 'during-runs' | 'always' | 'never';
