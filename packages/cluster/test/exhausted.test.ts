import { InferenceError } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { expect, it } from 'vitest';
import { consumerName, encode, ensureJobConsumer, jobStream, jobSubject, protocolVersion, type JobMessage } from '../src/index.js';
import { advertiseEndpoint } from './advertise.js';
import { caught, natsSuite, until, useClusterHarness } from './harness.js';

// A work-queue job whose deliveries ran out stays in the stream (nats-server keeps it; only an ack or
// a term removes it), where it would count against its endpoint's bound for good.
natsSuite('jobs whose deliveries run out', () => {
  const harness = useClusterHarness({ hubId: 'Xenova/all-MiniLM-L6-v2', skill: sentenceEmbeddingsSkill, client: { timeoutMs: 30_000 } });

  async function messagesOn(endpoint: string): Promise<number> {
    const jsm = await jetstreamManager(await harness.connection());
    const info = await jsm.streams.info(jobStream, { subjects_filter: jobSubject(endpoint) });
    return info.state.subjects?.[jobSubject(endpoint)] ?? 0;
  }

  it('a job delivered maxDeliver times without an ack fails its request at once with InferenceError, and is removed from the stream', async () => {
    const endpoint = 'silent';
    const advertised = await advertiseEndpoint(await harness.connection(), endpoint, harness.reference);
    const jsm = await jetstreamManager(await harness.connection());
    await ensureJobConsumer(jsm, endpoint, 200, 2);
    const started = performance.now();
    const request = caught(harness.client.infer(sentenceEmbeddingsSkill, ['never answered'], { endpoint }));
    // A worker that takes the job and dies, twice: pulled by hand and never acked.
    const consumer = await jetstream(await harness.connection()).consumers.get(jobStream, consumerName(endpoint));
    expect((await consumer.next({ expires: 5000 }))?.info.deliveryCount).toBe(1);
    expect((await consumer.next({ expires: 5000 }))?.info.deliveryCount).toBe(2);
    // A pull still waiting lets the server find the deliveries spent (as a live worker's fetch does).
    const waiting = consumer.next({ expires: 3000 });
    const error = await request;
    const elapsed = performance.now() - started;
    expect(InferenceError.isInstance(error)).toBe(true);
    expect((error as InferenceError).message).toMatch(/delivered to workers 2 times without an answer/);
    expect(elapsed).toBeLessThan(10_000); // not its 30 s timeout
    expect(harness.client.stats()).toMatchObject({ exhaustedJobs: 1, pending: 0 });
    await until(async () => (await messagesOn(endpoint)) === 0, 'the exhausted job to leave the stream');
    expect(await waiting).toBeNull();
    await advertised.stop();
  });

  it('a worker terminates a job on its last delivery when no client confirms its answer (the client is gone), so it leaves the stream', async () => {
    const endpoint = 'orphan';
    const { worker } = await harness.startWorker({ endpoint, maxInFlight: 1, worker: { ackWaitMs: 200, maxDeliver: 2 } });
    const requestId = 'client-gone';
    const job: JobMessage = { v: protocolVersion, requestId, skill: sentenceEmbeddingsSkill.name, endpoint, input: ['nobody waits'], options: {}, reply: '_INBOX.gone' };
    await jetstream(await harness.connection()).publish(jobSubject(endpoint), encode(job), { msgID: requestId });
    await until(() => worker.stats().unconfirmed === 1, 'the worker to give the job up on its last delivery');
    expect(worker.stats()).toMatchObject({ answered: 0, redelivered: 1, unconfirmed: 1 });
    await until(async () => (await messagesOn(endpoint)) === 0, 'the job to leave the stream');
  });
});
