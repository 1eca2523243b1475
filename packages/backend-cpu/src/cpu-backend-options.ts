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
   * Let idle intra-op threads spin after a run. Default false: spinning lowers single-session
   * latency slightly but roughly halves throughput when several sessions share a process.
   */
  readonly allowSpinning?: boolean;
  /** onnxruntime graph optimisation level. Default `all`. */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}
