/** Options of the CUDA backend. */
export interface CudaBackendOptions {
  /**
   * Intra-op CPU threads per session, for the operators the CUDA provider leaves on the CPU
   * (shape computations, operators without a CUDA kernel). Default 1, so GPU endpoints do not
   * compete with a CPU endpoint for cores; raise it for models with heavy CPU-side operators.
   */
  readonly threads?: number;
  /** Inter-op threads per session. Default 1. */
  readonly interOpThreads?: number;
  /**
   * Let idle intra-op threads spin after a run. Default false: spinning burns a core per thread
   * while the GPU works, for little gain.
   */
  readonly allowSpinning?: boolean;
  /** onnxruntime graph optimisation level. Default `all`. */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}
