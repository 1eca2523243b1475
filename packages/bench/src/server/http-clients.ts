import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { describeError } from '../describe-error.js';
import type { EmbeddingsRouteKind } from './embeddings-routes.js';
import type { Outcome } from './requests.js';

/** What the client thread needs: where to send, which route, the inputs and the vector each must come back with. */
export interface HttpClientsSetup {
  readonly url: string;
  readonly route: EmbeddingsRouteKind;
  readonly endpoint: string;
  readonly texts: readonly string[];
  readonly reference: readonly Float32Array[];
  readonly tolerance: number;
  readonly timeoutMs: number;
}

/** One burst's answer from the client thread: each request's latency (ms) and outcome, by input index. */
export interface BurstReport {
  readonly id: number;
  readonly latencies: readonly number[];
  readonly outcomes: readonly Outcome[];
}

/**
 * The HTTP clients, in a worker thread of their own (like a load generator in its own process):
 * their requests and JSON parsing then do not run on the event loop that serves the requests,
 * though they still share the machine's cores with the server and the inference threads.
 */
export class HttpClients {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(report: BurstReport): void; reject(error: Error): void }>();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (report: BurstReport) => {
      const pending = this.waiting.get(report.id);
      this.waiting.delete(report.id);
      pending?.resolve(report);
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const pending of this.waiting.values()) pending.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the HTTP client thread exited (code ${code})`)));
  }

  static start(setup: HttpClientsSetup): HttpClients {
    return new HttpClients(new Worker(new URL('./http-client-worker.js', import.meta.url), { workerData: setup }));
  }

  /** Sends one request per input at once, each on its own keep-alive connection; resolves when all have ended. */
  burst(): Promise<BurstReport> {
    if (this.failure) return Promise.reject(this.failure);
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id });
    });
  }

  /** The client thread's event-loop utilization (`performance.eventLoopUtilization`), since `since` when given. */
  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization {
    return this.worker.performance.eventLoopUtilization(since);
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate().catch((error: unknown) => {
      throw new Error(`could not stop the HTTP client thread: ${describeError(error)}`);
    });
  }
}
