import { hostname } from 'node:os';
import { AccelError, BackendUnavailableError, type Accel, type EndpointStatus, type InferResult, type InferStream, type SkillV1 } from '@accel/core';
import type { RemoteCallOptions, RemoteEndpoints, RemoteWorker } from '../src/index.js';

/** One call the server made to the remote: the endpoint, the signal it passed, and how the remote run ended (`ok` or its error code). */
export interface RemoteCall {
  readonly endpoint: string;
  readonly stream: boolean;
  readonly signal: AbortSignal | undefined;
  readonly settled: Promise<string>;
}

export interface InProcessRemote extends RemoteEndpoints {
  /** The worker named in every result's provenance. */
  readonly worker: RemoteWorker;
  readonly calls: RemoteCall[];
  /** The endpoint loses its last worker: its status turns `failed` and its requests get `BackendUnavailableError`, as a cluster gateway reports it. */
  loseWorkers(endpoint: string): void;
}

/**
 * Remote endpoints served by a second, separate accel registry in this process: what a cluster's
 * workers do, without the broker. Results come from that registry's real inference; the helper adds
 * the worker to their provenance. Used to test the server's remote side, not a mock of inference.
 */
export function inProcessRemote(accel: Accel, workerId = 'worker-a'): InProcessRemote {
  const worker: RemoteWorker = { id: workerId, host: hostname(), pid: process.pid };
  const lost = new Map<string, string>();
  const calls: RemoteCall[] = [];
  const withWorker = (result: InferResult<unknown>): InferResult<unknown> => ({ output: result.output, provenance: { ...result.provenance, worker } as InferResult<unknown>['provenance'] });
  const record = (endpoint: string, stream: boolean, signal: AbortSignal | undefined, result: Promise<unknown>) =>
    calls.push({ endpoint, stream, signal, settled: result.then(() => 'ok', (error: unknown) => (AccelError.isInstance(error) ? error.code : String(error))) });
  const unavailable = (endpoint: string): BackendUnavailableError | undefined => {
    const reason = lost.get(endpoint);
    return reason === undefined ? undefined : new BackendUnavailableError({ backend: 'cluster', reason, message: reason });
  };
  const statuses = (): EndpointStatus[] =>
    accel.status().map(({ probe: _probe, deviceInfo: _deviceInfo, ...status }) => {
      const reason = lost.get(status.id);
      return reason === undefined ? status : { ...status, state: 'failed' as const, error: { code: 'ACCEL_BACKEND_UNAVAILABLE', message: reason } };
    });
  return {
    worker,
    calls,
    loseWorkers(endpoint) {
      lost.set(endpoint, `no live worker serves endpoint ${endpoint}; last seen ${new Date().toISOString()} on worker ${worker.id}`);
    },
    endpoints: statuses,
    async infer(skill: SkillV1, input: unknown, options: RemoteCallOptions) {
      const error = unavailable(options.endpoint);
      if (error !== undefined) throw error;
      const result = accel.infer(skill, input as never, options as never);
      record(options.endpoint, false, options.signal, result);
      return withWorker(await result);
    },
    stream(skill: SkillV1, input: unknown, options: RemoteCallOptions): InferStream<unknown> {
      const error = unavailable(options.endpoint);
      if (error !== undefined) {
        const result = Promise.reject(error);
        result.catch(() => undefined);
        return { result, [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
      }
      const streamed = accel.stream(skill, input as never, options as never);
      record(options.endpoint, true, options.signal, streamed.result);
      return { result: streamed.result.then(withWorker), [Symbol.asyncIterator]: () => streamed[Symbol.asyncIterator]() };
    },
    describe: () => ({
      workers: [{ worker, endpoints: statuses().filter((status) => status.state !== 'failed').map((status) => ({ id: status.id, skill: status.skill, pending: status.queue.pending })) }],
    }),
  };
}
