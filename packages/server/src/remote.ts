import type { EndpointStatus, InferResult, InferStream, SkillV1 } from '@accel/core';

/** How the server calls a remote endpoint: its name, the client's abort signal, the server's timeout, and the request's skill options. */
export interface RemoteCallOptions {
  /** The endpoint's name, as `RemoteEndpoints.endpoints()` reports it. */
  readonly endpoint: string;
  /** Aborted when the HTTP client goes away; the remote run should stop. */
  readonly signal?: AbortSignal;
  /** The server's `limits.requestTimeoutMs`, when it has one. */
  readonly timeoutMs?: number;
  /** The skill's own options (e.g. `maxNewTokens`), as for `accel.infer`. */
  readonly [option: string]: unknown;
}

/** Which machine and process ran a remote request: what `provenance.worker` carries. */
export interface RemoteWorker {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
}

/**
 * Endpoints that run elsewhere (e.g. on `@accel/cluster`'s workers), served next to the local
 * registry's. The server never imports an implementation: `createClusterClient` from
 * `@accel/cluster` satisfies this interface structurally.
 */
export interface RemoteEndpoints {
  /**
   * One status per remote endpoint the server should know, live or not, with `id` = the endpoint
   * name. An endpoint no live worker serves has state `failed` and error
   * `{ code: 'ACCEL_BACKEND_UNAVAILABLE', message: <why> }`. Synchronous and cheap (an in-memory view).
   */
  endpoints(): readonly EndpointStatus[];
  /**
   * Runs one request remotely; rejects with accel's typed errors (`BackendUnavailableError` when no
   * live worker serves the endpoint → 503, `QueueFullError` when the endpoint's queue is full → 429,
   * `TimeoutError` → 504, `InvalidInputError` → 400, …). The result's provenance may carry
   * `worker: { id, host, pid }`.
   */
  infer(skill: SkillV1, input: unknown, options: RemoteCallOptions): Promise<InferResult<unknown>>;
  /** Like `infer` for a streaming (generate) skill: text pieces in order, then `result`; aborting `signal` stops the remote generation. */
  stream(skill: SkillV1, input: unknown, options: RemoteCallOptions): InferStream<unknown>;
  /** JSON shown as `cluster` in `GET /v1/accel/status` (workers, their endpoints, load, last heartbeat). */
  describe(): unknown;
}

/** The worker a remote result's provenance names, when it names one. */
export function workerOf(result: InferResult<unknown>): RemoteWorker | undefined {
  const { worker } = result.provenance as { worker?: unknown };
  if (typeof worker !== 'object' || worker === null) return undefined;
  const { id, host, pid } = worker as Partial<RemoteWorker>;
  return typeof id === 'string' ? { id, host: typeof host === 'string' ? host : '', pid: typeof pid === 'number' ? pid : 0 } : undefined;
}
