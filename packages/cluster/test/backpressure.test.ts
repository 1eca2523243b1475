import { createCpuBackend } from '@accel/backend-cpu';
import { BackendUnavailableError, InvalidInputError, QueueFullError, createAccel, type Accel } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { largestDifference } from '@accel/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterClient, defaultMaxQueuedPerEndpoint, ensureJobStream, jobStream, startClusterWorker, type ClusterClient, type ClusterWorker } from '../src/index.js';
import { advertiseEndpoint } from './advertise.js';
import { findNatsServer, startNatsServer, type NatsServer } from './nats-server.js';

const binary = findNatsServer();
const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const bound = 3;

// Without nats-server the suite is reported skipped, with the reason in its name: never passed.
const suite = binary === undefined ? describe.skip : describe;
suite(binary === undefined ? 'backpressure and broker errors: skipped, nats-server not installed (.ci/run installs it)' : 'backpressure and broker errors', () => {
  let server: NatsServer;
  let model: string;
  let reference: Accel;
  const connections: NatsConnection[] = [];
  const registries: Accel[] = [];
  const workers: ClusterWorker[] = [];
  let client: ClusterClient;

  async function natsConnection(): Promise<NatsConnection> {
    const connection = await connect({ servers: server.url });
    connections.push(connection);
    return connection;
  }

  async function embeddingWorker(endpoint: string): Promise<ClusterWorker> {
    const accel = createAccel({ backends: [createCpuBackend({ threads: 1 })], threads: 1 });
    registries.push(accel);
    accel.addEndpoint({ id: endpoint, skill: sentenceEmbeddingsSkill, model, maxBatchSize: 4 });
    const worker = await startClusterWorker({ connection: await natsConnection(), accel, endpoints: [{ id: endpoint, maxInFlight: 4 }], ackWaitMs: 2000, maxQueuedPerEndpoint: bound });
    workers.push(worker);
    return worker;
  }

  async function expectEqualToInProcess(embeddings: ArrayLike<number>[], input: string[]): Promise<void> {
    const expected = await reference.infer(sentenceEmbeddingsSkill, input);
    expect(embeddings).toHaveLength(input.length);
    embeddings.forEach((vector, i) => {
      expect(vector.length).toBe(expected.output.embeddings[i]!.length);
      expect(largestDifference(vector, expected.output.embeddings[i]!)).toBeLessThanOrEqual(1e-6);
    });
  }

  beforeAll(async () => {
    server = await startNatsServer(binary!);
    model = (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot })).directory;
    reference = createAccel({ backends: [createCpuBackend({ threads: 1 })], threads: 1 });
    reference.addEndpoint({ skill: sentenceEmbeddingsSkill, model });
    client = await createClusterClient({ connection: await natsConnection(), timeoutMs: 30_000, maxQueuedPerEndpoint: bound });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(workers.map((worker) => worker.stop().catch(() => undefined)));
    await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
    await Promise.all([reference, ...registries].map((accel) => accel?.dispose()));
    await server?.stop();
  });

  it('the stream is bounded per endpoint subject, discarding new jobs per subject', async () => {
    const { config } = await (await jetstreamManager(connections[0]!)).streams.info(jobStream);
    expect(config).toMatchObject({ retention: 'workqueue', max_msgs_per_subject: bound, discard: 'new', discard_new_per_subject: true });
  });

  it('with no worker pulling, the request beyond the bound is refused at once with QueueFullError; the queued ones are served once a worker starts, equal to in-process', async () => {
    // Known to the registry (so the client publishes), pulled by nobody.
    const advertised = await advertiseEndpoint(await natsConnection(), 'bounded', reference);
    const inputs = Array.from({ length: bound }, (_, i) => [`queued sentence ${i}`]);
    const queued = inputs.map((input) => client.infer(sentenceEmbeddingsSkill, input, { endpoint: 'bounded' }));
    queued.forEach((answer) => answer.catch(() => undefined));
    const jsm = await jetstreamManager(connections[0]!);
    for (let tries = 0; tries < 100 && (await jsm.streams.info(jobStream)).state.messages < bound; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await jsm.streams.info(jobStream)).state.messages).toBe(bound);

    const started = performance.now();
    const refused = await client.infer(sentenceEmbeddingsSkill, ['one too many'], { endpoint: 'bounded' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(QueueFullError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'ACCEL_QUEUE_FULL', endpoint: 'bounded', capacity: bound });
    expect(client.stats().pending).toBe(bound);

    // The bound is per endpoint: another endpoint's jobs still go through meanwhile.
    await embeddingWorker('open');
    const open = await client.infer(sentenceEmbeddingsSkill, ['another endpoint'], { endpoint: 'open' });
    await expectEqualToInProcess(open.output.embeddings, ['another endpoint']);

    const worker = await embeddingWorker('bounded');
    const results = await Promise.all(queued);
    for (const [i, result] of results.entries()) {
      await expectEqualToInProcess(result.output.embeddings, inputs[i]!);
      expect(result.provenance.worker.id).toBe(worker.identity.id);
    }
    // Room again once they are acked.
    const after = await client.infer(sentenceEmbeddingsSkill, ['room again'], { endpoint: 'bounded' });
    await expectEqualToInProcess(after.output.embeddings, ['room again']);
    await advertised.stop();
  });

  it('ensureJobStream updates an existing stream whose bound differs, and refuses a bad bound', async () => {
    const jsm = await jetstreamManager(await natsConnection());
    expect(await ensureJobStream(jsm, { maxQueuedPerEndpoint: 5 })).toBe(5);
    expect((await jsm.streams.info(jobStream)).config.max_msgs_per_subject).toBe(5);
    expect(await ensureJobStream(jsm)).toBe(defaultMaxQueuedPerEndpoint);
    expect((await jsm.streams.info(jobStream)).config.max_msgs_per_subject).toBe(1024);
    await expect(ensureJobStream(jsm, { maxQueuedPerEndpoint: 0 })).rejects.toSatisfy(InvalidInputError.isInstance);
    expect(await ensureJobStream(jsm, { maxQueuedPerEndpoint: bound })).toBe(bound);
    expect((await jsm.streams.info(jobStream)).config.max_msgs_per_subject).toBe(bound);
  });

  it("a publish on a closed connection is a BackendUnavailableError naming what failed, not NATS's own error", async () => {
    await embeddingWorker('closing');
    const connection = await natsConnection();
    const closing = await createClusterClient({ connection, timeoutMs: 5000, maxQueuedPerEndpoint: bound });
    const answer = await closing.infer(sentenceEmbeddingsSkill, ['before'], { endpoint: 'closing' });
    await expectEqualToInProcess(answer.output.embeddings, ['before']);
    await connection.close();
    const error = await closing.infer(sentenceEmbeddingsSkill, ['after'], { endpoint: 'closing' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).reason).toMatch(/publishing request .* to endpoint closing failed: .*closed/i);
    expect(closing.stats().pending).toBe(0);
    await closing.close();
  });
});
