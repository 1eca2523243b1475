import { createCpuBackend } from '@accel/backend-cpu';
import { BackendUnavailableError, EndpointNotFoundError, createAccel, type Accel } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { largestDifference } from '@accel/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterClient, jobStream, startClusterWorker, workersBucket, type ClusterClient, type ClusterWorker } from '../src/index.js';
import { advertiseEndpoint } from './advertise.js';
import { findNatsServer, startNatsServer, type NatsServer } from './nats-server.js';

const binary = findNatsServer();
const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const heartbeatMs = 200;
const livenessMs = 3 * heartbeatMs;

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

// Without nats-server the suite is reported skipped, with the reason in its name: never passed.
const suite = binary === undefined ? describe.skip : describe;
suite(binary === undefined ? 'cluster registry on nats-server: skipped, nats-server not installed (.ci/run installs it)' : 'cluster registry on nats-server', () => {
  let server: NatsServer;
  let model: string;
  let reference: Accel;
  const connections: NatsConnection[] = [];
  const registries: Accel[] = [];
  let client: ClusterClient;

  async function natsConnection(): Promise<NatsConnection> {
    const connection = await connect({ servers: server.url });
    connections.push(connection);
    return connection;
  }

  /** A worker serving `endpoint` with its model loaded (state 'ready') before it starts. */
  async function embeddingWorker(endpoint: string): Promise<{ worker: ClusterWorker; connection: NatsConnection }> {
    const accel = createAccel({ backends: [createCpuBackend({ threads: 1 })], threads: 1 });
    registries.push(accel);
    accel.addEndpoint({ id: endpoint, skill: sentenceEmbeddingsSkill, model, maxBatchSize: 4 });
    await accel.init();
    const connection = await natsConnection();
    const worker = await startClusterWorker({ connection, accel, endpoints: [{ id: endpoint, maxInFlight: 4 }], ackWaitMs: 1000, heartbeatMs });
    return { worker, connection };
  }

  /** The job stream's last sequence: unchanged when nothing was published. */
  async function lastJobSequence(): Promise<number> {
    const jsm = await jetstreamManager(connections[0]!);
    return (await jsm.streams.info(jobStream)).state.last_seq;
  }

  beforeAll(async () => {
    server = await startNatsServer(binary!);
    model = (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot })).directory;
    reference = createAccel({ backends: [createCpuBackend({ threads: 1 })], threads: 1 });
    reference.addEndpoint({ skill: sentenceEmbeddingsSkill, model });
    client = await createClusterClient({ connection: await natsConnection(), timeoutMs: 10_000, heartbeatMs });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
    await Promise.all([reference, ...registries].map((accel) => accel?.dispose()));
    await server?.stop();
  });

  it('a worker is known to a client as soon as it started: ready with its device, listed by describe(), and serving', async () => {
    const { worker } = await embeddingWorker('minilm');
    // Right after start, before the client's watch may have seen the heartbeat: require() re-reads the registry.
    const result = await client.infer(sentenceEmbeddingsSkill, ['a cat'], { endpoint: 'minilm' });
    const expected = await reference.infer(sentenceEmbeddingsSkill, ['a cat']);
    expect(largestDifference(result.output.embeddings[0]!, expected.output.embeddings[0]!)).toBeLessThanOrEqual(1e-6);
    expect(result.provenance.worker.id).toBe(worker.identity.id);

    const status = client.endpoints().find((endpoint) => endpoint.id === 'minilm');
    expect(status).toMatchObject({ id: 'minilm', skill: 'sentence-embeddings', state: 'ready', backend: 'cpu', device: 'cpu', replicas: 1 });
    expect(status!.error).toBeUndefined();
    expect(status!.modelFiles.length).toBeGreaterThan(0);
    expect(status).not.toHaveProperty('probe');

    const description = client.describe();
    expect(description.heartbeatMs).toBe(heartbeatMs);
    expect(description.livenessMs).toBe(livenessMs);
    const seen = description.workers.find((entry) => entry.worker.id === worker.identity.id);
    expect(seen).toMatchObject({ worker: worker.identity, live: true, draining: false });
    expect(seen!.endpoints).toEqual([expect.objectContaining({ id: 'minilm', skill: 'sentence-embeddings', maxInFlight: 4, state: 'ready', device: 'cpu' })]);
    expect(seen!.sinceHeartbeatMs).toBeLessThanOrEqual(livenessMs);
    // The heartbeat counts what the worker answered (within a beat).
    await until(() => client.describe().workers.find((entry) => entry.worker.id === worker.identity.id)!.answered === 1, 'the heartbeat to count the answer');
    expect(client.describe().endpoints).toContainEqual({ id: 'minilm', state: 'ready', workers: [worker.identity.id] });
    await worker.stop();
  });

  it('two workers of one endpoint: one status, replicas and queue capacity summed, both listed', async () => {
    const a = await embeddingWorker('pair');
    const b = await embeddingWorker('pair');
    await until(() => client.describe().endpoints.find((endpoint) => endpoint.id === 'pair')?.workers.length === 2, 'both workers in the view');
    const status = client.endpoints().filter((endpoint) => endpoint.id === 'pair');
    expect(status).toHaveLength(1);
    expect(status[0]).toMatchObject({ state: 'ready', replicas: 2 });
    const [single] = registries.at(-1)!.status('pair');
    expect(status[0]!.queue.capacity).toBe(2 * single!.queue.capacity);
    await Promise.all([a.worker.stop(), b.worker.stop()]);
  });

  it('a stopped worker disappears at once (its key is deleted); its endpoint turns failed with the reason', async () => {
    const { worker } = await embeddingWorker('stopping');
    await until(() => client.endpoints().some((endpoint) => endpoint.id === 'stopping' && endpoint.state === 'ready'), 'the worker in the view');
    // stop() first announces the worker as draining (it pulls nothing more), so the endpoint fails at once…
    const stopped = worker.stop();
    const failedAfter = await until(() => client.endpoints().find((endpoint) => endpoint.id === 'stopping')!.state === 'failed', 'the endpoint to fail');
    expect(failedAfter).toBeLessThan(livenessMs);
    expect(client.describe().workers.find((entry) => entry.worker.id === worker.identity.id)).toMatchObject({ live: true, draining: true });
    // …and once drained, deletes its key: the worker leaves the view well before a missed heartbeat could have done it.
    await stopped;
    const goneAfter = await until(() => !client.describe().workers.some((entry) => entry.worker.id === worker.identity.id), 'the worker to leave the view');
    expect(goneAfter).toBeLessThan(livenessMs);
    const status = client.endpoints().find((endpoint) => endpoint.id === 'stopping')!;
    expect(status.error?.code).toBe('ACCEL_BACKEND_UNAVAILABLE');
    expect(status.error?.message).toMatch(new RegExp(`^no live worker serves endpoint stopping; last seen \\d{4}-\\d\\d-\\d\\dT[^ ]+Z on worker ${worker.identity.id}$`));
  });

  it('a worker whose heartbeat stops (its connection dies): failed within 3 heartbeats, and requests are refused without a publish', async () => {
    const { worker, connection } = await embeddingWorker('silent');
    await until(() => client.endpoints().some((endpoint) => endpoint.id === 'silent' && endpoint.state === 'ready'), 'the worker in the view');
    await connection.close(); // no stop(): its key stays in the bucket until the bucket's ttl removes it, with no event
    const took = await until(() => client.endpoints().find((endpoint) => endpoint.id === 'silent')!.state === 'failed', 'the endpoint to fail', 5000);
    expect(took).toBeLessThanOrEqual(livenessMs + heartbeatMs + 100);
    const status = client.endpoints().find((endpoint) => endpoint.id === 'silent')!;
    expect(status.error).toEqual({ code: 'ACCEL_BACKEND_UNAVAILABLE', message: expect.stringMatching(new RegExp(`^no live worker serves endpoint silent; last seen \\S+ on worker ${worker.identity.id}$`)) });
    expect(status.queue.pending).toBe(0);
    expect(client.describe().workers.find((entry) => entry.worker.id === worker.identity.id)).toMatchObject({ live: false });

    const before = await lastJobSequence();
    const error = await caught(client.infer(sentenceEmbeddingsSkill, ['anyone?'], { endpoint: 'silent' }));
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).message).toBe(status.error!.message);
    expect(await lastJobSequence()).toBe(before);
    expect(client.stats().pending).toBe(0);
  });

  it('an endpoint no worker ever served is an EndpointNotFoundError, without a publish', async () => {
    const before = await lastJobSequence();
    const error = await caught(client.infer(sentenceEmbeddingsSkill, ['hello'], { endpoint: 'never-served' }));
    expect(EndpointNotFoundError.isInstance(error)).toBe(true);
    expect((error as EndpointNotFoundError).message).toMatch(/no endpoint never-served in the cluster/);
    expect(await lastJobSequence()).toBe(before);
    expect(client.endpoints().some((endpoint) => endpoint.id === 'never-served')).toBe(false);
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
    const slower = await advertiseEndpoint(connection, 'slower', reference, 300);
    expect((await kv.status()).ttl).toBe(900);
    await slower.stop();
    const restored = await advertiseEndpoint(connection, 'slower', reference, heartbeatMs);
    expect((await kv.status()).ttl).toBe(livenessMs);
    await restored.stop();
  });
});
