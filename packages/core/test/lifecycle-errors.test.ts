import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortedError, Accel, OutOfMemoryError } from '../src/index.js';
import { arithmeticBackend, doublingSkill } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';

let model: string;
beforeAll(async () => {
  model = await makeModelFolder();
});

const settle = <T>(promise: Promise<T>) => promise.then(
  (value) => ({ status: 'fulfilled' as const, value }),
  (reason: unknown) => ({ status: 'rejected' as const, reason }),
);

describe('removing an endpoint while it loads', () => {
  it('rejects the calls waiting for the load with AbortedError and releases what the load opened', async () => {
    const backend = arithmeticBackend({ createDelayMs: 40 });
    const accel = new Accel({ backends: [backend] });
    const id = accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    const waiting = [settle(accel.infer(doublingSkill, 1)), settle(accel.infer(doublingSkill, [2, 3])), settle(accel.init(id))];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(accel.status(id)[0]?.state).toBe('loading');
    await accel.removeEndpoint(id);
    const outcomes = await Promise.all(waiting);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as { reason: unknown }).reason;
      expect(AbortedError.isInstance(reason), String(reason)).toBe(true);
      expect((reason as AbortedError).reason).toContain(`endpoint ${id} was removed`);
    }
    expect(backend.batches).toEqual([]);
    expect(backend.released).toBe(1);
    expect(accel.status()).toEqual([]);
  });

  it('rejects a call whose signal aborts while the endpoint loads at once, and the load goes on for the others', async () => {
    const backend = arithmeticBackend({ createDelayMs: 200 });
    const accel = new Accel({ backends: [backend] });
    const id = accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    const controller = new AbortController();
    const leaving = settle(accel.infer(doublingSkill, 1, { signal: controller.signal }));
    const staying = accel.infer(doublingSkill, 2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const outcome = await leaving;
    expect(accel.status(id)[0]?.state).toBe('loading');
    expect(outcome.status).toBe('rejected');
    expect(AbortedError.isInstance((outcome as { reason: unknown }).reason)).toBe(true);
    expect((await staying).output).toEqual([4]);
    expect(backend.batches).toEqual([[2]]);
  });

  it('rejects them with AbortedError on dispose() too, also when the load would have failed', async () => {
    const accel = new Accel({
      backends: [arithmeticBackend({ createDelayMs: 40 }), arithmeticBackend({ name: 'broken', createDelayMs: 40, createError: new Error('cannot load') })],
    });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'broken' });
    const waiting = [
      settle(accel.infer(doublingSkill, 1, { endpoint: 'doubling@arithmetic' })),
      settle(accel.infer(doublingSkill, 1, { endpoint: 'doubling@broken' })),
    ];
    await new Promise((resolve) => setTimeout(resolve, 5));
    await accel.dispose();
    for (const outcome of await Promise.all(waiting)) {
      expect(outcome.status).toBe('rejected');
      expect(AbortedError.isInstance((outcome as { reason: unknown }).reason), String((outcome as { reason: unknown }).reason)).toBe(true);
    }
  });

  it('rejects the calls waiting for a cuda:* expansion with AbortedError', async () => {
    const devices = [{ label: 'cuda:0', name: 'Test GPU 0' }, { label: 'cuda:1', name: 'Test GPU 1' }];
    const accel = new Accel({ backends: [arithmeticBackend({ name: 'cuda', devices, createDelayMs: 40 })] });
    const id = accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:*' });
    const waiting = settle(accel.infer(doublingSkill, 1));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await accel.removeEndpoint(id);
    const outcome = await waiting;
    expect(outcome.status).toBe('rejected');
    expect(AbortedError.isInstance((outcome as { reason: unknown }).reason), String((outcome as { reason: unknown }).reason)).toBe(true);
    expect(accel.status()).toEqual([]);
  });
});

describe('one AbortSignal shared by many calls', () => {
  it('prints no MaxListenersExceededWarning for 100 calls, and aborting rejects each with AbortedError', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const accel = new Accel({ backends: [arithmeticBackend({ runDelayMs: 20 })] });
      accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', maxBatchSize: 1, deduplicate: false });
      await accel.init();
      const controller = new AbortController();
      const calls = Array.from({ length: 100 }, (_, index) => settle(accel.infer(doublingSkill, index, { signal: controller.signal })));
      await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      const outcomes = await Promise.all(calls);
      expect(outcomes.every((outcome) => outcome.status === 'rejected' && AbortedError.isInstance(outcome.reason))).toBe(true);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([]);
      await accel.dispose();
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('keeps serving the calls of a signal that never aborts, with one listener that is removed after they settle', async () => {
    const accel = new Accel({ backends: [arithmeticBackend()] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', deduplicate: false });
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const results = await Promise.all(Array.from({ length: 50 }, (_, index) => accel.infer(doublingSkill, index, { signal: controller.signal })));
    expect(results.map((result) => result.output[0])).toEqual(Array.from({ length: 50 }, (_, index) => index * 2));
    // The listener goes on the turn after its last subscriber leaves.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(added).toHaveBeenCalledTimes(1);
    expect(removed).toHaveBeenCalledTimes(1);
    expect(removed.mock.calls[0]?.[1]).toBe(added.mock.calls[0]?.[1]);
    await accel.dispose();
  });
});

describe('provenance.fallbacks is the request’s own trail', () => {
  it('lists a fallback only on the requests that moved; status() keeps the endpoint history', async () => {
    const cuda = arithmeticBackend({
      name: 'cuda',
      devices: [{ label: 'cuda:0', name: 'Test GPU' }],
      failRun: (run) => (run === 2 ? new Error('CUDA failure 2: out of memory') : undefined),
    });
    cuda.classifyError = (error, device) => (/out of memory/.test(String(error)) ? new OutOfMemoryError({ device, cause: error }) : undefined);
    const accel = new Accel({ backends: [cuda, arithmeticBackend({ name: 'cpu', devices: [{ label: 'cpu', name: 'test CPU' }] })] });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:0', fallback: ['cpu'] });
    const first = await accel.infer(doublingSkill, 1);
    expect(first.provenance).toMatchObject({ device: 'cuda:0', fallbacks: [] });
    const moved = await accel.infer(doublingSkill, 2);
    expect(moved.provenance.device).toBe('cpu');
    expect(moved.provenance.fallbacks).toEqual([{ from: 'cuda:0', to: 'cpu', code: 'ACCEL_OUT_OF_MEMORY', reason: 'out of memory on cuda:0' }]);
    const later = await accel.infer(doublingSkill, 3);
    expect(later.provenance).toMatchObject({ device: 'cpu', fallbacks: [] });
    expect(accel.status()[0]?.fallbacks).toEqual([{ from: 'cuda:0', to: 'cpu', code: 'ACCEL_OUT_OF_MEMORY', reason: 'out of memory on cuda:0' }]);
    await accel.dispose();
  });

  it('lists a load-time fallback on the requests that waited for that load only', async () => {
    const accel = new Accel({
      backends: [arithmeticBackend({ name: 'cuda', available: false, reason: 'no NVIDIA driver found' }), arithmeticBackend({ name: 'cpu', devices: [{ label: 'cpu', name: 'test CPU' }] })],
    });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:0', fallback: ['cpu'], deduplicate: false });
    const [first, second] = await Promise.all([accel.infer(doublingSkill, 1), accel.infer(doublingSkill, 1)]);
    for (const result of [first, second]) expect(result.provenance.fallbacks.map((step) => `${step.from} → ${step.to}`)).toEqual(['cuda:0 → cpu']);
    const later = await accel.infer(doublingSkill, 1);
    expect(later.provenance.fallbacks).toEqual([]);
    expect(accel.status()[0]?.fallbacks.map((step) => `${step.from} → ${step.to}`)).toEqual(['cuda:0 → cpu']);
    await accel.dispose();
  });
});
