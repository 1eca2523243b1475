import { describe, expect, it } from 'vitest';
import { BatchQueue, type CancellableItemControl } from '../src/scheduler/batch-queue.js';

/** A queue whose runs double their items after `delayMs`, recording each batch and the most batches running at once. */
function doublingQueue(options: { runners?: number; maxBatchSize?: number; delayMs?: number } = {}) {
  const batches: number[][] = [];
  let running = 0;
  let mostAtOnce = 0;
  const queue = new BatchQueue<number, number, string>({
    endpoint: 'test',
    capacity: 1000,
    maxBatchSize: options.maxBatchSize ?? 32,
    batchWaitMs: 0,
    ...(options.runners === undefined ? {} : { runners: options.runners }),
    run: async (items) => {
      batches.push([...items]);
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
      running -= 1;
      return { outcomes: items.map((item) => ({ ok: true as const, value: item * 2 })), context: 'ctx' };
    },
  });
  return { queue, batches, mostAtOnce: () => mostAtOnce };
}

const range = (count: number, from = 0) => Array.from({ length: count }, (_, index) => from + index);

describe('BatchQueue with several runners (replicas)', () => {
  it('splits one request of 32 items into two batches of 16 that run at once, and reassembles it in order', async () => {
    const { queue, batches, mostAtOnce } = doublingQueue({ runners: 2 });
    const result = await queue.enqueue(range(32)).result;
    expect(result.values).toEqual(range(32).map((value) => value * 2));
    expect(batches.map((batch) => batch.length)).toEqual([16, 16]);
    expect(batches.flat()).toEqual(range(32));
    expect(result.batchSizes).toEqual([16, 16]);
    expect(mostAtOnce()).toBe(2);
  });

  it('runs 64 concurrent singles as two batches of 32 side by side; a lone single uses one runner', async () => {
    const { queue, batches, mostAtOnce } = doublingQueue({ runners: 2 });
    const results = await Promise.all(range(64).map((value) => queue.enqueue([value]).result));
    expect(results.map((result) => result.values[0])).toEqual(range(64).map((value) => value * 2));
    expect(batches.map((batch) => batch.length)).toEqual([32, 32]);
    expect(mostAtOnce()).toBe(2);

    const single = await queue.enqueue([7]).result;
    expect(single.values).toEqual([14]);
    expect(batches.at(-1)).toEqual([7]);
  });

  it('never runs more batches than runners, and never more items per batch than maxBatchSize', async () => {
    const { queue, batches, mostAtOnce } = doublingQueue({ runners: 3, maxBatchSize: 8 });
    const results = await Promise.all([queue.enqueue(range(50)).result, queue.enqueue(range(10, 100)).result]);
    expect(results[0]!.values).toEqual(range(50).map((value) => value * 2));
    expect(results[1]!.values).toEqual(range(10, 100).map((value) => value * 2));
    expect(Math.max(...batches.map((batch) => batch.length))).toBe(8);
    expect(batches.flat()).toHaveLength(60);
    expect(mostAtOnce()).toBe(3);
  });

  it('with one runner (the default), runs one batch at a time', async () => {
    const { queue, batches, mostAtOnce } = doublingQueue();
    await Promise.all(range(40).map((value) => queue.enqueue([value]).result));
    expect(batches.map((batch) => batch.length)).toEqual([32, 8]);
    expect(mostAtOnce()).toBe(1);
  });

  it('starts queued work on runners added later, and whenIdle waits for every running batch', async () => {
    const { queue, mostAtOnce } = doublingQueue({ runners: 1, maxBatchSize: 4, delayMs: 10 });
    const pending = Promise.all(range(16).map((value) => queue.enqueue([value]).result));
    queue.setRunners(2);
    await queue.whenIdle();
    expect(queue.busy).toBe(false);
    expect((await pending).map((result) => result.values[0])).toEqual(range(16).map((value) => value * 2));
    expect(mostAtOnce()).toBe(2);
  });
});

describe('BatchQueue.close', () => {
  it('rejects what is queued and refuses later requests with AbortedError, and lets the running batch finish', async () => {
    const { queue } = doublingQueue({ maxBatchSize: 1, delayMs: 20 });
    const running = queue.enqueue([1]).result;
    const queued = queue.enqueue([2]).result;
    queued.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    queue.close('endpoint test was removed');
    await expect(queued).rejects.toMatchObject({ code: 'ACCEL_ABORTED', reason: 'endpoint test was removed' });
    expect(() => queue.enqueue([3])).toThrow(expect.objectContaining({ code: 'ACCEL_ABORTED', reason: 'endpoint test was removed' }));
    await expect(running).resolves.toMatchObject({ values: [2] });
  });
});

describe('BatchQueue token usage', () => {
  it("sums the items' token usage into the request's result, and leaves it out when no item reports any", async () => {
    const queue = new BatchQueue<number, number, string>({
      endpoint: 'usage',
      capacity: 100,
      maxBatchSize: 2,
      batchWaitMs: 0,
      run: async (items) => ({
        outcomes: items.map((item) => ({ ok: true as const, value: item, ...(item > 0 ? { usage: { inputTokens: item, outputTokens: item * 10 } } : {}) })),
        context: 'ctx',
      }),
    });
    // Three items over two batches: the sums cross batch boundaries.
    const counted = await queue.enqueue([1, 2, 3]).result;
    expect(counted.usage).toEqual({ inputTokens: 6, outputTokens: 60 });
    expect(counted.batchSizes).toEqual([2, 1]);
    const uncounted = await queue.enqueue([0, 0]).result;
    expect(uncounted.usage).toBeUndefined();
  });
});

describe('BatchQueue, one request at a time', () => {
  it("starts a lone request's batch on an idle queue without waiting for the event loop's next turn", async () => {
    const { queue, batches } = doublingQueue();
    const result = queue.enqueue([5]).result;
    // A microtask later the batch runs: before any setImmediate callback.
    const turnPassed = new Promise<number>((resolve) => setImmediate(() => resolve(batches.length)));
    await Promise.resolve();
    expect(batches).toEqual([[5]]);
    expect(await turnPassed).toBe(1);
    expect((await result).values).toEqual([10]);
  });

  it('batches what arrives while a batch runs, once it ends', async () => {
    const { queue, batches } = doublingQueue({ delayMs: 20 });
    const first = queue.enqueue([1]).result;
    await Promise.resolve();
    const later = [queue.enqueue([2]).result, queue.enqueue([3]).result, queue.enqueue([4, 5]).result];
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
    expect((await later[0]!).batchSizes).toEqual([4]);
  });

  it("tells a cancelled request's controls, makes no signal until one is read, and leaves batch-mates alone", async () => {
    let controls: readonly CancellableItemControl[] = [];
    let finish!: () => void;
    const queue = new BatchQueue<number, number, string>({
      endpoint: 'cancel',
      capacity: 10,
      maxBatchSize: 8,
      batchWaitMs: 0,
      run: async (items, given) => {
        controls = given as readonly CancellableItemControl[];
        await new Promise<void>((resolve) => (finish = resolve));
        return { outcomes: items.map((item) => ({ ok: true as const, value: item })), context: 'ctx' };
      },
    });
    const cancelled = queue.enqueue([1, 2]);
    const mate = queue.enqueue([3]);
    cancelled.result.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(controls).toHaveLength(3);
    expect(controls[0]!.request).toBe(controls[1]!.request);
    expect(controls[2]!.request).not.toBe(controls[0]!.request);
    const heard: number[] = [];
    controls.forEach((control, item) => control.onCancel(() => heard.push(item)));
    const mateSignal = controls[2]!.signal;
    cancelled.cancel(new Error('client went away'));
    expect(heard).toEqual([0, 1]);
    // A signal read after the cancellation is aborted already, with its reason; a listener added then is called at once.
    expect(controls[0]!.signal.aborted).toBe(true);
    expect(controls[0]!.signal.reason).toMatchObject({ message: 'client went away' });
    controls[1]!.onCancel(() => heard.push(9));
    expect(heard).toEqual([0, 1, 9]);
    expect(mateSignal.aborted).toBe(false);
    finish();
    await expect(cancelled.result).rejects.toThrow('client went away');
    expect((await mate.result).values).toEqual([3]);
  });
});
