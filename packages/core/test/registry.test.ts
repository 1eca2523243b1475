import { beforeAll, describe, expect, it } from 'vitest';
import {
  AbortedError,
  Accel,
  BackendUnavailableError,
  EndpointNotFoundError,
  InferenceError,
  InvalidInputError,
  ModelNotFoundError,
  QueueFullError,
  TimeoutError,
  UnsupportedError,
} from '../src/index.js';
import { arithmeticBackend, doublingSkill } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';

let model: string;
beforeAll(async () => {
  model = await makeModelFolder();
});

function registry(options: Parameters<typeof arithmeticBackend>[0] = {}) {
  const backend = arithmeticBackend(options);
  const accel = new Accel({ backends: [backend], skills: [doublingSkill] });
  return { accel, backend };
}

describe('endpoint lifecycle', () => {
  it('adds, initialises, serves with provenance, and removes', async () => {
    const { accel, backend } = registry();
    const id = accel.addEndpoint({ skill: 'doubling', model, backend: 'arithmetic' });
    expect(id).toBe('doubling@arithmetic');
    expect(accel.status()[0]?.state).toBe('added');
    const [status] = await accel.init(id);
    expect(status).toMatchObject({ state: 'ready', device: 'arithmetic', modelFiles: ['onnx/model.onnx'], modelDirectory: model });

    const result = await accel.infer(doublingSkill, [1, 2, 3]);
    expect(result.output).toEqual([2, 4, 6]);
    expect(result.provenance).toMatchObject({
      endpoint: id,
      skill: 'doubling',
      task: 'double',
      backend: 'arithmetic',
      device: 'arithmetic',
      dtype: 'fp32',
      runtime: 'node',
      model: { directory: model, files: ['onnx/model.onnx'] },
      batchSizes: [3],
      fallbacks: [],
    });
    expect(result.provenance.timings.totalMs).toBeGreaterThanOrEqual(result.provenance.timings.inferenceMs);

    await accel.removeEndpoint(id);
    expect(backend.released).toBe(1);
    expect(accel.status()).toEqual([]);
    await expect(accel.infer('doubling', 1)).rejects.toSatisfy(EndpointNotFoundError.isInstance);
  });

  it('gives unique ids to endpoints on the same device', () => {
    const { accel } = registry();
    expect(accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' })).toBe('doubling@arithmetic');
    expect(accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' })).toBe('doubling@arithmetic#2');
    expect(() => accel.addEndpoint({ id: 'doubling@arithmetic', skill: doublingSkill, model, backend: 'arithmetic' })).toThrow(/already exists/);
  });

  it('refuses unknown backends, skills, dtypes and limits with typed errors', () => {
    const { accel } = registry();
    expect(() => accel.addEndpoint({ skill: doublingSkill, model, backend: 'cuda:0' })).toThrow(
      expect.objectContaining({ code: 'ACCEL_BACKEND_UNAVAILABLE', backend: 'cuda' }),
    );
    expect(() => accel.addEndpoint({ skill: 'whisper', model, backend: 'arithmetic' })).toThrow(expect.objectContaining({ code: 'ACCEL_UNSUPPORTED' }));
    expect(() => accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', dtype: 'fp64' as never })).toThrow(
      expect.objectContaining({ code: 'ACCEL_INVALID_INPUT' }),
    );
    expect(() => accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', maxBatchSize: 5 })).toThrow(/maxBatchSize/);
  });

  it('reports an unavailable backend as a failed endpoint with the probe reason', async () => {
    const { accel } = registry({ available: false });
    const id = accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    const error = await accel.init(id).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).reason).toBe('switched off for this test');
    expect(accel.status()[0]).toMatchObject({ state: 'failed', error: { code: 'ACCEL_BACKEND_UNAVAILABLE' } });
  });

  it('init() without an id loads everything and reports failures in the statuses', async () => {
    const { accel } = registry();
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    accel.addEndpoint({ id: 'missing', skill: doublingSkill, model: '/nonexistent/model', backend: 'arithmetic' });
    const statuses = await accel.init();
    expect(statuses.map((status) => status.state)).toEqual(['ready', 'failed']);
    expect(statuses[1]?.error?.code).toBe('ACCEL_MODEL_NOT_FOUND');
  });

  it('rejects a dtype the skill does not support', async () => {
    const { accel } = registry();
    const id = accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', dtype: 'q8' });
    await expect(accel.init(id)).rejects.toSatisfy(UnsupportedError.isInstance);
  });
});

describe('requests', () => {
  it('validates input before queueing', async () => {
    const { accel, backend } = registry();
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    await expect(accel.infer(doublingSkill, [] as number[])).rejects.toSatisfy(InvalidInputError.isInstance);
    expect(backend.batches).toEqual([]);
  });

  it('groups concurrent requests into batches up to maxBatchSize, FIFO', async () => {
    const { accel, backend } = registry();
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    await accel.init();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((value) => accel.infer(doublingSkill, value)));
    expect(results.map((result) => result.output)).toEqual([[2], [4], [6], [8], [10], [12]]);
    expect(backend.batches).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(results[0]?.provenance.batchSizes).toEqual([4]);
    expect(results[5]?.provenance.batchSizes).toEqual([2]);
  });

  it('splits one large request across batches and reassembles it in order', async () => {
    const { accel, backend } = registry();
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    const { output, provenance } = await accel.infer(doublingSkill, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(output).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(backend.batches.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(provenance.batchSizes).toEqual([4, 4, 2]);
  });

  it('fails one item without failing its batch-mates, and records notes per item', async () => {
    const { accel } = registry();
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic' });
    await accel.init();
    const [good, bad, noted] = await Promise.allSettled([
      accel.infer(doublingSkill, 1),
      accel.infer(doublingSkill, Number.NaN),
      accel.infer(doublingSkill, [5, 2000]),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { output: [2] } });
    expect(bad.status === 'rejected' && InvalidInputError.isInstance(bad.reason)).toBe(true);
    expect(noted).toMatchObject({ status: 'fulfilled', value: { provenance: { notes: [{ kind: 'info', item: 1, message: 'large' }] } } });
  });

  it('turns a backend failure into InferenceError for that batch only', async () => {
    const { accel } = registry({ failOn: (values) => (values.includes(13) ? new Error('kernel exploded') : undefined) });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', maxBatchSize: 1 });
    await accel.init();
    const [bad, good] = await Promise.allSettled([accel.infer(doublingSkill, 13), accel.infer(doublingSkill, 2)]);
    expect(bad.status === 'rejected' && InferenceError.isInstance(bad.reason) && /kernel exploded/.test(bad.reason.message)).toBe(true);
    expect(good).toMatchObject({ status: 'fulfilled', value: { output: [4] } });
  });

  it('answers QueueFullError at once when the queue is full', async () => {
    const { accel } = registry({ runDelayMs: 20 });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', maxQueueSize: 2, maxBatchSize: 1 });
    await accel.init();
    const first = accel.infer(doublingSkill, 1);
    const second = accel.infer(doublingSkill, 2);
    const third = accel.infer(doublingSkill, 3);
    await expect(third).rejects.toSatisfy(QueueFullError.isInstance);
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it('drops an aborted request from the queue without disturbing the others', async () => {
    const { accel, backend } = registry({ runDelayMs: 20 });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', maxBatchSize: 1 });
    await accel.init();
    const controller = new AbortController();
    const running = accel.infer(doublingSkill, 1);
    const cancelled = accel.infer(doublingSkill, 2, { signal: controller.signal });
    const after = accel.infer(doublingSkill, 3);
    controller.abort();
    await expect(cancelled).rejects.toSatisfy(AbortedError.isInstance);
    await expect(running).resolves.toMatchObject({ output: [2] });
    await expect(after).resolves.toMatchObject({ output: [6] });
    expect(backend.batches).toEqual([[1], [3]]);
  });

  it('times out a request that waits too long', async () => {
    const { accel } = registry({ runDelayMs: 50 });
    accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', maxBatchSize: 1 });
    await accel.init();
    const slow = accel.infer(doublingSkill, 1);
    await expect(accel.infer(doublingSkill, 2, { timeoutMs: 10 })).rejects.toSatisfy(TimeoutError.isInstance);
    await slow;
  });

  it('rejects queued requests when their endpoint is removed, and lets the running batch finish', async () => {
    const { accel } = registry({ runDelayMs: 20 });
    const id = accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', maxBatchSize: 1 });
    await accel.init();
    const running = accel.infer(doublingSkill, 1);
    const queued = accel.infer(doublingSkill, 2);
    queued.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await accel.removeEndpoint(id);
    await expect(running).resolves.toMatchObject({ output: [2] });
    await expect(queued).rejects.toSatisfy(AbortedError.isInstance);
  });

  it('routes to the least-loaded endpoint of a skill', async () => {
    const { accel } = registry({ runDelayMs: 10 });
    accel.addEndpoint({ id: 'a', skill: doublingSkill, model, backend: 'arithmetic', maxBatchSize: 1 });
    accel.addEndpoint({ id: 'b', skill: doublingSkill, model, backend: 'arithmetic', maxBatchSize: 1 });
    await accel.init();
    const results = await Promise.all([1, 2, 3, 4].map((value) => accel.infer(doublingSkill, value)));
    const endpoints = results.map((result) => result.provenance.endpoint);
    expect(endpoints.filter((endpoint) => endpoint === 'a')).toHaveLength(2);
    expect(endpoints.filter((endpoint) => endpoint === 'b')).toHaveLength(2);
  });

  it('names the folder it looked in when a hub id is not cached and downloads are off', async () => {
    const accel = new Accel({ backends: [arithmeticBackend()], skills: [doublingSkill], models: { cacheDirectory: '/tmp/accel-empty-cache', offline: true } });
    accel.addEndpoint({ skill: doublingSkill, model: 'someone/some-model', backend: 'arithmetic' });
    const error = await accel.init().then(() => accel.status()[0]?.error);
    expect(error?.code).toBe('ACCEL_MODEL_NOT_FOUND');
    expect(error?.message).toContain('/tmp/accel-empty-cache/someone/some-model');
    expect(error?.message).toContain('accel models pull someone/some-model');
    expect(ModelNotFoundError.isInstance(new ModelNotFoundError({ model: 'x', searched: [], hint: '' }))).toBe(true);
  });
});
