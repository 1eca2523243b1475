import { BackendUnavailableError, InvalidInputError, QueueFullError } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { largestDifference } from '@accel/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { expect, it } from 'vitest';
import { createClusterClient, defaultMaxQueuedPerEndpoint, ensureJobStream, jobStream, type ClusterWorker } from '../src/index.js';
import { advertiseEndpoint } from './advertise.js';
import { caught, natsSuite, useClusterHarness } from './harness.js';

const bound = 3;

natsSuite('backpressure and broker errors', () => {
  const harness = useClusterHarness({ hubId: 'Xenova/all-MiniLM-L6-v2', skill: sentenceEmbeddingsSkill, client: { timeoutMs: 30_000, maxQueuedPerEndpoint: bound } });
  const natsConnection = () => harness.connection();

  const embeddingWorker = async (endpoint: string): Promise<ClusterWorker> =>
    (await harness.startWorker({ endpoint, maxInFlight: 4, endpointOptions: { maxBatchSize: 4 }, worker: { ackWaitMs: 2000, maxQueuedPerEndpoint: bound } })).worker;

  async function expectEqualToInProcess(embeddings: ArrayLike<number>[], input: string[]): Promise<void> {
    const expected = await harness.reference.infer(sentenceEmbeddingsSkill, input);
    expect(embeddings).toHaveLength(input.length);
    embeddings.forEach((vector, i) => {
      expect(vector.length).toBe(expected.output.embeddings[i]!.length);
      expect(largestDifference(vector, expected.output.embeddings[i]!)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('the stream is bounded per endpoint subject, discarding new jobs per subject', async () => {
    const { config } = await (await jetstreamManager(harness.connections[0]!)).streams.info(jobStream);
    expect(config).toMatchObject({ retention: 'workqueue', max_msgs_per_subject: bound, discard: 'new', discard_new_per_subject: true });
  });

  it('with no worker pulling, the request beyond the bound is refused at once with QueueFullError; the queued ones are served once a worker starts, equal to in-process', async () => {
    // Known to the registry (so the client publishes), pulled by nobody.
    const advertised = await advertiseEndpoint(await natsConnection(), 'bounded', harness.reference);
    const inputs = Array.from({ length: bound }, (_, i) => [`queued sentence ${i}`]);
    const queued = inputs.map((input) => harness.client.infer(sentenceEmbeddingsSkill, input, { endpoint: 'bounded' }));
    queued.forEach((answer) => answer.catch(() => undefined));
    const jsm = await jetstreamManager(harness.connections[0]!);
    for (let tries = 0; tries < 100 && (await jsm.streams.info(jobStream)).state.messages < bound; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await jsm.streams.info(jobStream)).state.messages).toBe(bound);

    const started = performance.now();
    const refused = await caught(harness.client.infer(sentenceEmbeddingsSkill, ['one too many'], { endpoint: 'bounded' }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(QueueFullError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'ACCEL_QUEUE_FULL', endpoint: 'bounded', capacity: bound });
    expect(harness.client.stats().pending).toBe(bound);

    // The bound is per endpoint: another endpoint's jobs still go through meanwhile.
    await embeddingWorker('open');
    const open = await harness.client.infer(sentenceEmbeddingsSkill, ['another endpoint'], { endpoint: 'open' });
    await expectEqualToInProcess(open.output.embeddings, ['another endpoint']);

    const worker = await embeddingWorker('bounded');
    const results = await Promise.all(queued);
    for (const [i, result] of results.entries()) {
      await expectEqualToInProcess(result.output.embeddings, inputs[i]!);
      expect(result.provenance.worker.id).toBe(worker.identity.id);
    }
    // Room again once they are acked.
    const after = await harness.client.infer(sentenceEmbeddingsSkill, ['room again'], { endpoint: 'bounded' });
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
    const error = await caught(closing.infer(sentenceEmbeddingsSkill, ['after'], { endpoint: 'closing' }));
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).reason).toMatch(/publishing request .* to endpoint closing failed: .*closed/i);
    expect(closing.stats().pending).toBe(0);
    await closing.close();
  });
});
