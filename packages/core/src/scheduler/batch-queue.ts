import { AbortedError } from '../errors/aborted-error.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import type { ItemControl, ItemOutcome } from '../skill/v1/loaded-skill-v1.js';
import type { ProvenanceNote, TokenUsage } from '../provenance/provenance.js';
import { nextTurn } from './next-turn.js';

/** What one batch run returns: an outcome per item, and what ran it (recorded on each request). */
export interface BatchRun<Value, Context> {
  readonly outcomes: ItemOutcome<Value>[];
  readonly context: Context;
}

export interface BatchQueueOptions<Item, Value, Context = unknown> {
  readonly endpoint: string;
  /** Most requests waiting at once; one more is refused with `QueueFullError`. */
  readonly capacity: number;
  readonly maxBatchSize: number;
  /** Batches that may run at once (an endpoint's replicas). Default 1; `setRunners` changes it. */
  readonly runners?: number;
  /** How long the first queued item may wait for batch-mates. */
  readonly batchWaitMs: number;
  readonly run: (items: readonly Item[], controls: readonly ItemControl[]) => Promise<BatchRun<Value, Context>>;
}

/** The values of one request's items, in order, with what the batches recorded. */
export interface QueuedRequestResult<Value, Context = unknown> {
  readonly values: Value[];
  /** The context of the last batch that served the request. */
  readonly context: Context;
  readonly notes: ProvenanceNote[];
  /** Skill-specific timings; averaged over the items when a request has several. */
  readonly timings: Record<string, number>;
  /** Token counts summed over the items, when the skill reported any. */
  readonly usage?: TokenUsage;
  readonly batchSizes: number[];
  readonly queuedMs: number;
  readonly inferenceMs: number;
}

/** Per-request hooks. */
export interface EnqueueOptions {
  /** Receives streamed text: the item's index and the piece. */
  readonly onText?: (item: number, text: string) => void;
}

interface QueuedRequest<Item, Value, Context> {
  readonly items: readonly Item[];
  context: Context | undefined;
  readonly values: Value[];
  readonly notes: ProvenanceNote[];
  readonly timingSums: Record<string, number>;
  usage: { inputTokens: number; outputTokens: number } | undefined;
  readonly batchSizes: number[];
  readonly enqueuedAt: number;
  /** Made on first use (a skill that reads an item's signal): most requests never need one. */
  controller: AbortController | undefined;
  /** Called once when the request fails or is cancelled (see `CancellableItemControl.onCancel`). */
  cancelListeners: Array<() => void> | undefined;
  readonly onText: ((item: number, text: string) => void) | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  remaining: number;
  /** Items still in the queue (not yet taken into a batch). */
  queued: number;
  settled: boolean;
  /** Why the request failed, once it has. */
  failure: unknown;
  resolve(result: QueuedRequestResult<Value, Context>): void;
  reject(error: unknown): void;
}

interface Slot<Item, Value, Context> {
  readonly request: QueuedRequest<Item, Value, Context>;
  readonly index: number;
}

/**
 * The controls a queue passes to its `run`: besides the item's signal (made only when read),
 * `onCancel` subscribes to its request's failure or cancellation without making one, and `request`
 * identifies the request (items of one request share it), so a caller that forwards
 * cancellations, like the worker pool, subscribes once per request and allocates no signal.
 */
export interface CancellableItemControl extends ItemControl {
  readonly request: object;
  /** Calls `listener` once when the request fails or is cancelled (at once if it already has); returns an unsubscribe function. */
  onCancel(listener: () => void): () => void;
}

/** A handle on one enqueued request. */
export interface QueueTicket<Value, Context = unknown> {
  readonly result: Promise<QueuedRequestResult<Value, Context>>;
  /** Drops the request's items that have not started and rejects it with `error`. */
  cancel(error: Error): void;
}

/**
 * A bounded FIFO of request items for one endpoint. Items of several requests are grouped into
 * batches of at most `maxBatchSize`. With one runner, one batch runs at a time; with several
 * (replicas), the queued items are split evenly between the free runners, so one request of 32
 * items on two replicas runs as two batches of 16 at once. A failing item fails only its own
 * request; a failing batch fails only the requests in it.
 */
export class BatchQueue<Item, Value, Context = unknown> {
  private readonly slots: Slot<Item, Value, Context>[] = [];
  private waitingRequests = 0;
  private active = 0;
  private runners: number;
  /** Cancels the pending start of the next batch, if one is scheduled. */
  private timer: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  private servedItems = 0;
  /** Set by `close`: why the queue takes no more requests. */
  private closedReason: string | undefined;

  constructor(private readonly options: BatchQueueOptions<Item, Value, Context>) {
    this.runners = options.runners ?? 1;
  }

  /** Sets how many batches may run at once (at least 1); queued items start on the new runners. */
  setRunners(runners: number): void {
    this.runners = Math.max(1, Math.floor(runners));
    this.schedule();
  }

  /** Requests not yet fully started. */
  get pending(): number {
    return this.waitingRequests;
  }

  /** True while a batch runs. */
  get busy(): boolean {
    return this.active > 0;
  }

  /** Batches running now. */
  get runningBatches(): number {
    return this.active;
  }

  get served(): number {
    return this.servedItems;
  }

  get capacity(): number {
    return this.options.capacity;
  }

  enqueue(items: readonly Item[], options: EnqueueOptions = {}): QueueTicket<Value, Context> {
    if (this.closedReason !== undefined) throw new AbortedError({ reason: this.closedReason });
    if (this.waitingRequests >= this.options.capacity) {
      throw new QueueFullError({ endpoint: this.options.endpoint, capacity: this.options.capacity });
    }
    let request!: QueuedRequest<Item, Value, Context>;
    const result = new Promise<QueuedRequestResult<Value, Context>>((resolve, reject) => {
      request = {
        items,
        context: undefined,
        values: new Array<Value>(items.length),
        notes: [],
        timingSums: {},
        usage: undefined,
        batchSizes: [],
        enqueuedAt: performance.now(),
        controller: undefined,
        cancelListeners: undefined,
        onText: options.onText,
        startedAt: undefined,
        finishedAt: undefined,
        remaining: items.length,
        queued: items.length,
        settled: false,
        failure: undefined,
        resolve,
        reject,
      };
    });
    this.waitingRequests += 1;
    items.forEach((_, index) => this.slots.push({ request, index }));
    this.schedule(true);
    return { result, cancel: (error) => this.fail(request, error) };
  }

  /** Rejects every queued request with `reason`; a running batch finishes. */
  rejectQueued(reason: string): void {
    const requests = new Set(this.slots.map((slot) => slot.request));
    for (const request of requests) this.fail(request, new AbortedError({ reason }));
  }

  /** Rejects every queued request with `AbortedError` and refuses new ones with it from now on; a running batch finishes. */
  close(reason: string): void {
    this.closedReason ??= reason;
    this.rejectQueued(reason);
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.active === 0 && this.slots.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Starts the next batch after `batchWaitMs`. With no wait, a queue with no batch running starts
   * it in a microtask: after the requests enqueued in this synchronous run of code (a
   * `Promise.all` of singles takes the same steps, so each is enqueued before the microtask runs),
   * but without waiting for the event loop's next turn, which a lone request would pay for
   * nothing. While a batch runs, the next one starts on `setImmediate` once it ends (a
   * `MessageChannel` message in browsers, see `nextTurn`): after what arrived in that turn,
   * without the ≥ 1 ms that Node's `setTimeout(0)` sleeps.
   */
  private schedule(arriving = false): void {
    if (this.active >= this.runners || this.timer !== undefined || this.slots.length === 0) return;
    const start = () => {
      this.timer = undefined;
      this.startBatches();
    };
    if (this.options.batchWaitMs > 0) {
      const handle = setTimeout(start, this.options.batchWaitMs);
      this.timer = () => clearTimeout(handle);
    } else if (arriving && this.active === 0) {
      let cancelled = false;
      this.timer = () => {
        cancelled = true;
      };
      queueMicrotask(() => {
        if (!cancelled) start();
      });
    } else {
      this.timer = nextTurn(start);
    }
  }

  /** Starts a batch on every free runner, the queued items shared evenly between them. */
  private startBatches(): void {
    const free = this.runners - this.active;
    if (free > 0 && this.slots.length > 0) {
      const size = Math.min(this.options.maxBatchSize, Math.ceil(this.slots.length / free));
      for (let started = 0; started < free && this.slots.length > 0; started += 1) {
        const batch = this.takeBatch(size);
        if (batch.length > 0) void this.runBatch(batch);
      }
    }
    this.settleIdle();
  }

  private takeBatch(size: number): Slot<Item, Value, Context>[] {
    const batch: Slot<Item, Value, Context>[] = [];
    while (batch.length < size && this.slots.length > 0) {
      const slot = this.slots.shift()!;
      if (slot.request.settled) continue;
      slot.request.queued -= 1;
      batch.push(slot);
    }
    return batch;
  }

  private async runBatch(batch: Slot<Item, Value, Context>[]): Promise<void> {
    this.active += 1;
    const startedAt = performance.now();
    const requests = new Set(batch.map((slot) => slot.request));
    for (const request of requests) {
      if (request.startedAt === undefined) request.startedAt = startedAt;
      if (request.queued === 0) this.waitingRequests -= 1;
      request.batchSizes.push(batch.length);
    }
    try {
      const controls: CancellableItemControl[] = batch.map(({ request, index }) => ({
        get signal() {
          if (request.controller === undefined) {
            request.controller = new AbortController();
            if (request.settled) request.controller.abort(request.failure);
          }
          return request.controller.signal;
        },
        emit: (text) => {
          if (!request.settled) request.onText?.(index, text);
        },
        streaming: request.onText !== undefined,
        request,
        onCancel: (listener) => {
          if (request.settled) {
            if (request.failure !== undefined) listener();
            return () => undefined;
          }
          (request.cancelListeners ??= []).push(listener);
          return () => {
            const position = request.cancelListeners?.indexOf(listener) ?? -1;
            if (position >= 0) request.cancelListeners!.splice(position, 1);
          };
        },
      }));
      const { outcomes, context } = await this.options.run(
        batch.map((slot) => slot.request.items[slot.index]!),
        controls,
      );
      const finishedAt = performance.now();
      for (const request of requests) {
        request.finishedAt = finishedAt;
        request.context = context;
      }
      batch.forEach((slot, position) => this.deliver(slot, outcomes[position]));
      this.servedItems += batch.length;
    } catch (error) {
      for (const request of requests) this.fail(request, error);
    } finally {
      this.active -= 1;
    }
    if (this.slots.length > 0) this.schedule();
    else this.settleIdle();
  }

  private deliver(slot: Slot<Item, Value, Context>, outcome: ItemOutcome<Value> | undefined): void {
    const { request, index } = slot;
    if (request.settled) return;
    if (outcome === undefined) {
      this.fail(request, new Error(`skill returned no outcome for item ${index}`));
      return;
    }
    if (!outcome.ok) {
      this.fail(request, outcome.error);
      return;
    }
    request.values[index] = outcome.value;
    for (const note of outcome.notes ?? []) request.notes.push({ ...note, item: index });
    for (const [name, value] of Object.entries(outcome.timings ?? {})) request.timingSums[name] = (request.timingSums[name] ?? 0) + value;
    if (outcome.usage !== undefined) {
      request.usage ??= { inputTokens: 0, outputTokens: 0 };
      request.usage.inputTokens += outcome.usage.inputTokens;
      request.usage.outputTokens += outcome.usage.outputTokens;
    }
    request.remaining -= 1;
    if (request.remaining === 0) {
      request.settled = true;
      request.resolve({
        values: request.values,
        context: request.context as Context,
        notes: request.notes,
        timings: Object.fromEntries(Object.entries(request.timingSums).map(([name, sum]) => [name, sum / request.items.length])),
        ...(request.usage === undefined ? {} : { usage: { ...request.usage } }),
        batchSizes: request.batchSizes,
        queuedMs: (request.startedAt ?? request.enqueuedAt) - request.enqueuedAt,
        inferenceMs: (request.finishedAt ?? request.enqueuedAt) - (request.startedAt ?? request.enqueuedAt),
      });
    }
  }

  private fail(request: QueuedRequest<Item, Value, Context>, error: unknown): void {
    if (request.settled) return;
    request.settled = true;
    request.failure = error;
    request.controller?.abort(error);
    const listeners = request.cancelListeners;
    request.cancelListeners = undefined;
    for (const listener of listeners ?? []) listener();
    if (request.queued > 0) {
      request.queued = 0;
      for (let position = this.slots.length - 1; position >= 0; position -= 1) {
        if (this.slots[position]!.request === request) this.slots.splice(position, 1);
      }
      this.waitingRequests -= 1;
    }
    request.reject(error);
    if (this.active === 0 && this.slots.length === 0) this.settleIdle();
  }

  private settleIdle(): void {
    if (this.active > 0 || this.slots.length > 0) return;
    if (this.timer !== undefined) {
      this.timer();
      this.timer = undefined;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
