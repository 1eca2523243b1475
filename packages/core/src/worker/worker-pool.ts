import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { InferenceError } from '../errors/inference-error.js';
import type { CancellableItemControl } from '../scheduler/batch-queue.js';
import type { ItemControl, ItemOutcome, LoadedSkillV1 } from '../skill/v1/loaded-skill-v1.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { deserializeError } from './serialize-error.js';

type LoadMessage = Extract<ToWorker, { type: 'load' }>;
type PrepareMessage = Extract<ToWorker, { type: 'prepare' }>;

interface PendingBatch {
  readonly endpoint: string;
  readonly controls: readonly ItemControl[];
  resolve(outcomes: ItemOutcome<unknown>[]): void;
  reject(error: Error): void;
}

function cancellable(control: ItemControl): control is CancellableItemControl {
  return typeof (control as Partial<CancellableItemControl>).onCancel === 'function';
}

/** One worker thread and the endpoints and batches it holds. */
class PooledWorker {
  endpoints = 0;
  /** The thread count each backend module whose count is fixed per thread was loaded with here (see `BackendSource.threadsFixedPerThread`). */
  readonly fixedThreads = new Map<string, number | undefined>();
  private readonly loads = new Map<string, { resolve(files: readonly string[]): void; reject(error: Error): void }>();
  private readonly unloads = new Map<string, () => void>();
  private readonly batches = new Map<number, PendingBatch>();
  /** Files each hosted endpoint has loaded, kept up to date in place as batches open sessions on demand. */
  private readonly files = new Map<string, string[]>();
  private failure: Error | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the worker thread exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker's port again, and a worker
    // that has nothing to do (a spare that only imports modules) must not keep the process alive.
    worker.unref();
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  private post(message: ToWorker): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(message);
  }

  private busy(): void {
    if (this.loads.size + this.batches.size + this.unloads.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  /** Has the worker import a skill's and a backend's modules now, before an endpoint loads (see `prewarmWorker`). */
  prepare(message: PrepareMessage): void {
    if (this.alive) this.post(message);
  }

  load(message: LoadMessage): Promise<readonly string[]> {
    return new Promise((resolve, reject) => {
      this.loads.set(message.endpoint, { resolve, reject });
      this.busy();
      this.post(message);
    });
  }

  run(endpoint: string, batch: number, items: readonly unknown[], controls: readonly ItemControl[]): Promise<ItemOutcome<unknown>[]> {
    // The items of each request (a queue's controls name it) or of each signal, so a cancellation reaches the worker once per item.
    const itemsByOwner = new Map<object, number[]>();
    controls.forEach((control, item) => {
      const owner = cancellable(control) ? control.request : control.signal;
      const owned = itemsByOwner.get(owner);
      if (owned === undefined) itemsByOwner.set(owner, [item]);
      else owned.push(item);
    });
    const unsubscribes: Array<() => void> = [];
    return new Promise<ItemOutcome<unknown>[]>((resolve, reject) => {
      const settle = () => {
        for (const unsubscribe of unsubscribes) unsubscribe();
      };
      this.batches.set(batch, {
        endpoint,
        controls,
        resolve: (outcomes) => {
          settle();
          resolve(outcomes);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      this.busy();
      // Items nobody streams get no text messages: a generating skill would otherwise post one per token.
      this.post({ type: 'run', endpoint, batch, items, streaming: controls.map((control) => control.streaming !== false) });
      for (const [owner, ownedItems] of itemsByOwner) {
        const control = controls[ownedItems[0]!]!;
        const abort = () => {
          if (this.alive && this.batches.has(batch)) for (const item of ownedItems) this.post({ type: 'abort', batch, item });
        };
        if (cancellable(control)) unsubscribes.push(control.onCancel(abort));
        else {
          const signal = owner as AbortSignal;
          if (signal.aborted) abort();
          else {
            signal.addEventListener('abort', abort, { once: true });
            unsubscribes.push(() => signal.removeEventListener('abort', abort));
          }
        }
      }
    });
  }

  unload(endpoint: string): Promise<void> {
    if (!this.alive) return Promise.resolve();
    this.files.delete(endpoint);
    return new Promise((resolve) => {
      this.unloads.set(endpoint, resolve);
      this.busy();
      this.post({ type: 'unload', endpoint });
    });
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'loaded':
      case 'load-failed': {
        const pending = this.loads.get(message.endpoint);
        this.loads.delete(message.endpoint);
        if (message.type === 'loaded') {
          const files = [...message.files];
          this.files.set(message.endpoint, files);
          pending?.resolve(files);
        } else pending?.reject(deserializeError(message.error));
        break;
      }
      case 'unloaded':
        this.unloads.get(message.endpoint)?.();
        this.unloads.delete(message.endpoint);
        break;
      case 'text':
        this.batches.get(message.batch)?.controls[message.item]?.emit(message.text);
        break;
      case 'result':
      case 'run-failed': {
        const pending = this.batches.get(message.batch);
        this.batches.delete(message.batch);
        const files = pending === undefined || message.files === undefined ? undefined : this.files.get(pending.endpoint);
        files?.splice(0, files.length, ...message.files!);
        if (message.type === 'result') {
          pending?.resolve(message.outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false, error: deserializeError(outcome.error) })));
        } else {
          pending?.reject(deserializeError(message.error));
        }
        break;
      }
    }
    this.busy();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = new InferenceError({ endpoint: 'worker', cause: error, message: `worker thread failed: ${error.message}` });
    for (const pending of this.loads.values()) pending.reject(this.failure);
    for (const pending of this.batches.values()) pending.reject(this.failure);
    for (const resolve of this.unloads.values()) resolve();
    this.loads.clear();
    this.batches.clear();
    this.unloads.clear();
  }
}

/**
 * A larger young generation than a worker's default: inference allocates many short-lived
 * tensors (a KV cache per token), and fewer scavenges shorten the pauses between generated
 * tokens. `accel bench` measures gpt2's time per token in a worker against a raw onnxruntime loop
 * (reports/bench/bench.md, reports/bench-full/bench.md). Costs up to 64 MiB per worker.
 */
const workerLimits = { maxYoungGenerationSizeMb: 64 };

/**
 * A process-wide pool of worker threads that host endpoints, so inference never blocks the
 * event loop of the thread that called `infer`. Workers are shared by every registry, started
 * on demand (at most `size`), and do not keep the process alive while idle.
 */
export class WorkerPool {
  private readonly workers: PooledWorker[] = [];
  private nextBatch = 0;

  constructor(private readonly size: number) {}

  /**
   * The least-busy worker not in `exclude`; a new one while the pool is below its size, or when
   * every worker is excluded (replicas of one endpoint never share a worker, or they would
   * queue behind each other).
   */
  private async acquire(taken: ReadonlySet<PooledWorker>, message: LoadMessage): Promise<PooledWorker> {
    for (let index = this.workers.length - 1; index >= 0; index -= 1) if (!this.workers[index]!.alive) this.workers.splice(index, 1);
    // A worker whose runtime started with another thread count cannot give this endpoint its own.
    const { backend, threads } = message;
    const conflicting = this.workers.filter((worker) => backend.threadsFixedPerThread === true && worker.fixedThreads.has(backend.module) && worker.fixedThreads.get(backend.module) !== threads);
    const exclude = new Set([...taken, ...conflicting]);
    const candidates = this.workers.filter((worker) => !exclude.has(worker));
    if (this.startsWorker(exclude)) {
      const worker = takeSpare() ?? startWorker(await import('node:worker_threads'));
      this.workers.push(worker);
      return worker;
    }
    return candidates.reduce((best, worker) => (worker.endpoints < best.endpoints ? worker : best));
  }

  /** True when the next `acquire(exclude)` starts a worker rather than sharing one. */
  startsWorker(exclude: ReadonlySet<PooledWorker> = new Set()): boolean {
    const alive = this.workers.filter((worker) => worker.alive);
    return alive.length < this.size || alive.every((worker) => exclude.has(worker));
  }

  /**
   * Loads `replicas` copies of an endpoint's model, each in its own worker, at once; the
   * returned objects run batches there. If one copy fails to load, the others are unloaded.
   * `files[replica]` lists the files that copy has loaded, updated in place when a batch opens a
   * session on demand.
   */
  async load(message: LoadMessage, replicas = 1): Promise<{ loaded: LoadedSkillV1<unknown, unknown>[]; files: readonly (readonly string[])[] }> {
    const workers = new Set<PooledWorker>();
    for (let replica = 0; replica < replicas; replica += 1) {
      const worker = await this.acquire(workers, message);
      worker.endpoints += 1;
      if (message.backend.threadsFixedPerThread === true && !worker.fixedThreads.has(message.backend.module)) worker.fixedThreads.set(message.backend.module, message.threads);
      workers.add(worker);
    }
    const loads = await Promise.allSettled(
      [...workers].map(async (worker, replica) => {
        const endpoint = `${message.endpoint}/${replica}`;
        const files = await worker.load({ ...message, endpoint });
        const loaded: LoadedSkillV1<unknown, unknown> = {
          run: (items, controls) => worker.run(endpoint, (this.nextBatch += 1), items, controls),
          dispose: async () => {
            worker.endpoints -= 1;
            await worker.unload(endpoint);
          },
        };
        return { loaded, files };
      }),
    );
    const failure = loads.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure !== undefined) {
      [...workers].forEach((worker, replica) => {
        const result = loads[replica]!;
        if (result.status === 'fulfilled') void result.value.loaded.dispose();
        else worker.endpoints -= 1;
      });
      throw failure.reason;
    }
    const loaded = loads.map((result) => (result as PromiseFulfilledResult<{ loaded: LoadedSkillV1<unknown, unknown>; files: readonly string[] }>).value);
    return { loaded: loaded.map((entry) => entry.loaded), files: loaded.map((entry) => entry.files) };
  }
}

function startWorker(workerThreads: typeof WorkerThreads): PooledWorker {
  return new PooledWorker(
    new workerThreads.Worker(new URL('./endpoint-worker.js', import.meta.url), {
      resourceLimits: workerLimits,
      // One environment with the process, so a backend's settings reach native code (see disableOnnxRuntimeTelemetry).
      env: workerThreads.SHARE_ENV,
    }),
  );
}

/** A worker started ahead of the endpoint that will take it (see `prewarmWorker`). */
let spare: PooledWorker | undefined;

function takeSpare(): PooledWorker | undefined {
  const taken = spare?.alive ? spare : undefined;
  spare = undefined;
  return taken;
}

/**
 * Starts the worker the next endpoint load will take, unless the pool would give that load a
 * worker it already has, and has it import the skill's and backend's modules at once: a thread's
 * start and its imports then overlap with what the registry does before it sends the load (the
 * backend's probe, resolving the model folder) instead of following it. The spare worker is
 * unreferenced like an idle pool worker, so it never keeps the process alive; a module that fails
 * to import fails the load later with the error it always had.
 */
export async function prewarmWorker(modules: Omit<PrepareMessage, 'type'>): Promise<void> {
  if (sharedPool !== undefined && !sharedPool.startsWorker()) return;
  const workerThreads = await import('node:worker_threads');
  if (!spare?.alive) spare = startWorker(workerThreads);
  spare.prepare({ type: 'prepare', ...modules });
}

let sharedPool: WorkerPool | undefined;

/** The process-wide pool, sized on first use. */
export function workerPool(size: number): WorkerPool {
  sharedPool ??= new WorkerPool(size);
  return sharedPool;
}
