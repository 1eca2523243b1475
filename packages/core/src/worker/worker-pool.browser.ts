import { UnsupportedError } from '../errors/unsupported-error.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * The browser build of `worker-pool.js`. Worker isolation rebuilds skills and backends in a
 * `node:worker_threads` worker by importing their modules by name, which a bundled page cannot
 * do; in a browser, endpoints run inline in the registry's own thread — put the registry in a Web
 * Worker to keep the page responsive (see examples/browser).
 */
export function workerPool(_size: number): WorkerPool {
  throw new UnsupportedError({
    feature: "isolation 'worker' in a browser",
    message: "isolation 'worker' needs node:worker_threads; in a browser endpoints run inline: run the registry in a Web Worker instead",
  });
}

/** In a browser endpoints run inline: there is no worker to start ahead. */
export async function prewarmWorker(_modules: { skill: unknown; backend: unknown }): Promise<void> {}
