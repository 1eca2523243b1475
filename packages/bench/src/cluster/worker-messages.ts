/** What the bench tells a forked worker process, and what it answers (over the `fork` IPC channel). */

/** The worker process's setup, passed in its environment as JSON (`ACCEL_BENCH_CLUSTER_WORKER`). */
export interface WorkerSetup {
  readonly natsUrl: string;
  /** The model folder of the MiniLM endpoint. */
  readonly model: string;
  readonly endpoint: string;
  readonly maxBatchSize: number;
  readonly maxInFlight: number;
  /** The cluster worker's id (the same after each pause). */
  readonly id: string;
}

export const workerSetupVariable = 'ACCEL_BENCH_CLUSTER_WORKER';

export type WorkerCommand =
  /** Start pulling jobs (startClusterWorker). */
  | { readonly type: 'start' }
  /** Stop pulling jobs, answering the held ones first (the cluster worker's stop()); the model stays loaded. */
  | { readonly type: 'pause' }
  /** Report the process's CPU time so far. */
  | { readonly type: 'cpu' }
  /** Stop, dispose of the registry, close the connection and exit. */
  | { readonly type: 'exit' };

export type WorkerReply =
  /** The endpoint loaded and the NATS connection is open. */
  | { readonly type: 'loaded'; readonly isolation: string; readonly threads?: number; readonly replicas: number; readonly device: string }
  | { readonly type: 'started'; readonly id: string }
  | { readonly type: 'paused'; readonly answered: number }
  /** `process.cpuUsage()` user + system, every thread of the process (the event loop, the inference thread). */
  | { readonly type: 'cpu'; readonly microseconds: number }
  | { readonly type: 'failed'; readonly message: string };
