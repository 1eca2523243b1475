import { BackendUnavailableError, EndpointNotFoundError } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { largestDifference } from '@accel/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { expect, it } from 'vitest';
import { createClusterClient, jobStream, workersBucket } from '../src/index.js';
import { advertiseEndpoint } from './advertise.js';
import { caught, natsSuite, until, useClusterHarness } from './harness.js';

const heartbeatMs = 200;
const livenessMs = 3 * heartbeatMs;

natsSuite('cluster registry on nats-server', () => {
  const harness = useClusterHarness({ hubId: 'Xenova/all-MiniLM-L6-v2', skill: sentenceEmbeddingsSkill, client: { timeoutMs: 10_000, heartbeatMs } });
  const natsConnection = () => harness.connection();

  /** A worker serving `endpoint` with its model loaded (state 'ready') before it starts. */
  const embeddingWorker = (endpoint: string) => harness.startWorker({ endpoint, maxInFlight: 4, endpointOptions: { maxBatchSize: 4 }, init: true, worker: { ackWaitMs: 1000, heartbeatMs } });

  /** The job stream's last sequence: unchanged when nothing was published. */
  async function lastJobSequence(): Promise<number> {
    const jsm = await jetstreamManager(harness.connections[0]!);
    return (await jsm.streams.info(jobStream)).state.last_seq;
  }

  it('a worker is known to a client as soon as it started: ready with its device, listed by describe(), and serving', async () => {
    const { worker } = await embeddingWorker('minilm');
    // Right after start, before the client's watch may have seen the heartbeat: require() re-reads the registry.
    const result = await harness.client.infer(sentenceEmbeddingsSkill, ['a cat'], { endpoint: 'minilm' });
    const expected = await harness.reference.infer(sentenceEmbeddingsSkill, ['a cat']);
    expect(largestDifference(result.output.embeddings[0]!, expected.output.embeddings[0]!)).toBeLessThanOrEqual(1e-6);
    expect(result.provenance.worker.id).toBe(worker.identity.id);

    const status = harness.client.endpoints().find((endpoint) => endpoint.id === 'minilm');
    expect(status).toMatchObject({ id: 'minilm', skill: 'sentence-embeddings', state: 'ready', backend: 'cpu', device: 'cpu', replicas: 1 });
    expect(status!.error).toBeUndefined();
    expect(status!.modelFiles.length).toBeGreaterThan(0);
    expect(status).not.toHaveProperty('probe');

    const description = harness.client.describe();
    expect(description.heartbeatMs).toBe(heartbeatMs);
    expect(description.livenessMs).toBe(livenessMs);
    const seen = description.workers.find((entry) => entry.worker.id === worker.identity.id);
    expect(seen).toMatchObject({ worker: worker.identity, live: true, draining: false });
    expect(seen!.endpoints).toEqual([expect.objectContaining({ id: 'minilm', skill: 'sentence-embeddings', maxInFlight: 4, state: 'ready', device: 'cpu' })]);
    expect(seen!.sinceHeartbeatMs).toBeLessThanOrEqual(livenessMs);
    // The heartbeat counts what the worker answered (within a beat).
    await until(() => harness.client.describe().workers.find((entry) => entry.worker.id === worker.identity.id)!.answered === 1, 'the heartbeat to count the answer');
    expect(harness.client.describe().endpoints).toContainEqual({ id: 'minilm', state: 'ready', workers: [worker.identity.id] });
    await worker.stop();
  });

  it('two workers of one endpoint: one status, replicas and queue capacity summed, both listed', async () => {
    const a = await embeddingWorker('pair');
    const b = await embeddingWorker('pair');
    await until(() => harness.client.describe().endpoints.find((endpoint) => endpoint.id === 'pair')?.workers.length === 2, 'both workers in the view');
    const status = harness.client.endpoints().filter((endpoint) => endpoint.id === 'pair');
    expect(status).toHaveLength(1);
    expect(status[0]).toMatchObject({ state: 'ready', replicas: 2 });
    const [single] = b.accel.status('pair');
    expect(status[0]!.queue.capacity).toBe(2 * single!.queue.capacity);
    await Promise.all([a.worker.stop(), b.worker.stop()]);
  });

  it('a stopped worker disappears at once (its key is deleted); its endpoint turns failed with the reason', async () => {
    const { worker } = await embeddingWorker('stopping');
    await until(() => harness.client.endpoints().some((endpoint) => endpoint.id === 'stopping' && endpoint.state === 'ready'), 'the worker in the view');
    // stop() first announces the worker as draining (it pulls nothing more), so the endpoint fails at once…
    const stopped = worker.stop();
    const failedAfter = await until(() => harness.client.endpoints().find((endpoint) => endpoint.id === 'stopping')!.state === 'failed', 'the endpoint to fail');
    expect(failedAfter).toBeLessThan(livenessMs);
    expect(harness.client.describe().workers.find((entry) => entry.worker.id === worker.identity.id)).toMatchObject({ live: true, draining: true });
    // …and once drained, deletes its key: the worker leaves the view well before a missed heartbeat could have done it.
    await stopped;
    const goneAfter = await until(() => !harness.client.describe().workers.some((entry) => entry.worker.id === worker.identity.id), 'the worker to leave the view');
    expect(goneAfter).toBeLessThan(livenessMs);
    const status = harness.client.endpoints().find((endpoint) => endpoint.id === 'stopping')!;
    expect(status.error?.code).toBe('ACCEL_BACKEND_UNAVAILABLE');
    expect(status.error?.message).toMatch(new RegExp(`^no live worker serves endpoint stopping; last seen \\d{4}-\\d\\d-\\d\\dT[^ ]+Z on worker ${worker.identity.id}$`));
  });

  it('a worker whose heartbeat stops (its connection dies): failed within 3 heartbeats, and requests are refused without a publish', async () => {
    const { worker, connection } = await embeddingWorker('silent');
    await until(() => harness.client.endpoints().some((endpoint) => endpoint.id === 'silent' && endpoint.state === 'ready'), 'the worker in the view');
    await connection.close(); // no stop(): its key stays in the bucket until the bucket's ttl removes it, with no event
    const took = await until(() => harness.client.endpoints().find((endpoint) => endpoint.id === 'silent')!.state === 'failed', 'the endpoint to fail', 5000);
    expect(took).toBeLessThanOrEqual(livenessMs + heartbeatMs + 100);
    const status = harness.client.endpoints().find((endpoint) => endpoint.id === 'silent')!;
    expect(status.error).toEqual({ code: 'ACCEL_BACKEND_UNAVAILABLE', message: expect.stringMatching(new RegExp(`^no live worker serves endpoint silent; last seen \\S+ on worker ${worker.identity.id}$`)) });
    expect(status.queue.pending).toBe(0);
    expect(harness.client.describe().workers.find((entry) => entry.worker.id === worker.identity.id)).toMatchObject({ live: false });

    const before = await lastJobSequence();
    const error = await caught(harness.client.infer(sentenceEmbeddingsSkill, ['anyone?'], { endpoint: 'silent' }));
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).message).toBe(status.error!.message);
    expect(await lastJobSequence()).toBe(before);
    expect(harness.client.stats().pending).toBe(0);
  });

  it('an endpoint no worker ever served is an EndpointNotFoundError, without a publish', async () => {
    const before = await lastJobSequence();
    const error = await caught(harness.client.infer(sentenceEmbeddingsSkill, ['hello'], { endpoint: 'never-served' }));
    expect(EndpointNotFoundError.isInstance(error)).toBe(true);
    expect((error as EndpointNotFoundError).message).toMatch(/no endpoint never-served in the cluster/);
    expect(await lastJobSequence()).toBe(before);
    expect(harness.client.endpoints().some((endpoint) => endpoint.id === 'never-served')).toBe(false);
  });

  it('a gateway started after the last worker died still knows the endpoint (accel_endpoints) and says why it cannot serve it', async () => {
    const later = await createClusterClient({ connection: await natsConnection(), timeoutMs: 5000, heartbeatMs });
    try {
      const status = later.endpoints().find((endpoint) => endpoint.id === 'stopping');
      expect(status).toMatchObject({ id: 'stopping', skill: 'sentence-embeddings', state: 'failed', device: 'cpu' });
      expect(status!.error!.message).toMatch(/^no live worker serves endpoint stopping; last seen \S+ on worker \S+$/);
      const error = await caught(later.infer(sentenceEmbeddingsSkill, ['hello'], { endpoint: 'stopping' }));
      expect(BackendUnavailableError.isInstance(error)).toBe(true);
      // The worker started later is served as soon as it is up.
      const { worker } = await embeddingWorker('stopping');
      const result = await later.infer(sentenceEmbeddingsSkill, ['hello'], { endpoint: 'stopping' });
      expect(result.provenance.worker.id).toBe(worker.identity.id);
      await worker.stop();
    } finally {
      await later.close();
    }
  });

  it('a worker with another heartbeatMs sets the bucket ttl to 3 × its own (the last to start decides)', async () => {
    const connection = await natsConnection();
    const kv = await new Kvm(connection).open(workersBucket);
    expect((await kv.status()).ttl).toBe(livenessMs);
    const slower = await advertiseEndpoint(connection, 'slower', harness.reference, 300);
    expect((await kv.status()).ttl).toBe(900);
    await slower.stop();
    const restored = await advertiseEndpoint(connection, 'slower', harness.reference, heartbeatMs);
    expect((await kv.status()).ttl).toBe(livenessMs);
    await restored.stop();
  });

  it("a worker beating slower than the gateway's heartbeatMs is judged by its own interval: it never flaps, and fails 3 of its beats after its last", async () => {
    // 3 × the gateway's 200 ms is shorter than this worker's interval: judged by the gateway's, it would fail between beats.
    const slowMs = 800;
    const connection = await natsConnection();
    await advertiseEndpoint(connection, 'slow-beat', harness.reference, slowMs);
    const state = () => harness.client.endpoints().find((endpoint) => endpoint.id === 'slow-beat')?.state;
    await until(() => state() === 'ready', 'the slow worker in the view');
    const states = new Set<string | undefined>();
    for (const end = performance.now() + 4 * slowMs; performance.now() < end; ) {
      states.add(state());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect([...states]).toEqual(['ready']);
    expect(harness.client.describe().workers.find((entry) => entry.worker.id === 'advertiser-slow-beat')).toMatchObject({ live: true, heartbeatMs: slowMs });
    // Its connection dies without stop(): the last beat was at most one interval before, so it fails after 2 to 3 of its intervals.
    await connection.close();
    const took = await until(() => state() === 'failed', 'the slow worker to fail', 5000);
    expect(took).toBeGreaterThan(2 * slowMs - 100);
    expect(took).toBeLessThanOrEqual(3 * slowMs + 200);
    // The bucket's ttl back to this suite's (the slow worker raised it).
    const restored = await advertiseEndpoint(await natsConnection(), 'slow-beat-restore', harness.reference, heartbeatMs);
    await restored.stop();
  });
});
