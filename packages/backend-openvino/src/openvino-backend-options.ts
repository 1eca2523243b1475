/** Options of the OpenVINO backend. */
export interface OpenVinoBackendOptions {
  /**
   * Precision OpenVINO computes in (`INFERENCE_PRECISION_HINT`). Default: each device's own
   * choice (for example f16 on GPUs, bf16 on CPUs with native bf16, f32 on other x86 CPUs).
   * The dtype picks the weight file; this hint picks the arithmetic.
   */
  readonly inferencePrecision?: 'f32' | 'f16' | 'bf16';
  /**
   * `LATENCY` (default) tunes each compiled model for one request at a time; `THROUGHPUT`
   * splits the device into several streams for concurrent requests (`PERFORMANCE_HINT`).
   */
  readonly performanceHint?: 'LATENCY' | 'THROUGHPUT';
  /**
   * Folder where OpenVINO caches compiled models (`CACHE_DIR`), so the next load of the same
   * file on the same device skips compilation. Default: no cache.
   */
  readonly cacheDirectory?: string;
}
