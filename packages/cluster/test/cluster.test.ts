import { AccelError, InvalidInputError, TimeoutError, type BackendV1 } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { expect, it } from 'vitest';
import {
  consumerName,
  decodeJob,
  encode,
  ensureJobConsumer,
  jobStream,
  protocolVersion,
  type ClusterInferResult,
} from '../src/index.js';
import { gatedBackend, largestDifference } from '@accel/testkit';
import { advertiseEndpoint } from './advertise.js';
import { caught, cpuBackend, natsSuite, until, useClusterHarness } from './harness.js';

const ackWaitMs = 1500;
type Embeddings = { embeddings: ArrayLike<number>[] };

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  expect(largestDifference(actual, expected)).toBeLessThanOrEqual(1e-6);
}

/** The cpu backend whose sessions load only once `open()` is called: a worker on it holds its jobs. */
const gatedCpuBackend = () => gatedBackend(cpuBackend());

natsSuite('cluster on nats-server', () => {
  const harness = useClusterHarness({ hubId: 'Xenova/all-MiniLM-L6-v2', skill: sentenceEmbeddingsSkill, client: { timeoutMs: 30_000 } });
  const natsConnection = () => harness.connection();

  const embeddingWorker = (endpoint: string, backend: BackendV1 = cpuBackend(), maxBatchSize = 8) =>
    harness.startWorker({ endpoint, maxInFlight: maxBatchSize, backend, endpointOptions: { maxBatchSize, batchWaitMs: 2 }, worker: { ackWaitMs } });

  const text = (i: number) => `sentence number ${i} about ${['cats', 'dogs', 'boats', 'trains'][i % 4]}`;

  async function expectEqualToInProcess(result: ClusterInferResult<Embeddings>, input: string[]): Promise<void> {
    const expected = await harness.reference.infer(sentenceEmbeddingsSkill, input);
    expect(result.output.embeddings).toHaveLength(input.length);
    result.output.embeddings.forEach((vector, i) => expectClose(vector, expected.output.embeddings[i]!));
  }

  it('two workers answer 200 requests, each once, equal to the in-process result, and both take a share', async () => {
    const a = await embeddingWorker('minilm');
    const b = await embeddingWorker('minilm');
    const inputs = Array.from({ length: 200 }, (_, i) => [text(i)]);
    const results = await Promise.all(inputs.map((input) => harness.client.infer(sentenceEmbeddingsSkill, input, { endpoint: 'minilm' })));
    const byWorker = new Map<string, number>();
    for (const [i, result] of results.entries()) {
      await expectEqualToInProcess(result, inputs[i]!);
      expect(result.provenance.endpoint).toBe('minilm');
      expect(result.provenance.worker.pid).toBe(process.pid);
      byWorker.set(result.provenance.worker.id, (byWorker.get(result.provenance.worker.id) ?? 0) + 1);
    }
    expect([...byWorker.keys()].sort()).toEqual([a.worker.identity.id, b.worker.identity.id].sort());
    expect(a.worker.stats().answered + b.worker.stats().answered).toBe(200);
    expect(a.worker.stats().answered).toBeGreaterThan(0);
    expect(b.worker.stats().answered).toBeGreaterThan(0);
    expect(harness.client.stats()).toMatchObject({ pending: 0, duplicatesDropped: 0 });

    // An InvalidInputError raised on a worker is an InvalidInputError here, with its code and message.
    const inProcess = await caught(harness.reference.infer(sentenceEmbeddingsSkill, []));
    expect(InvalidInputError.isInstance(inProcess)).toBe(true);
    const remote = await caught(harness.client.infer(sentenceEmbeddingsSkill, [], { endpoint: 'minilm' }));
    expect(AccelError.isInstance(remote)).toBe(true);
    expect(InvalidInputError.isInstance(remote)).toBe(true);
    expect((remote as InvalidInputError).code).toBe('ACCEL_INVALID_INPUT');
    expect((remote as InvalidInputError).message).toBe((inProcess as InvalidInputError).message);

    await Promise.all([a.worker.stop(), b.worker.stop()]);
    expect(a.worker.stats().held + b.worker.stats().held).toBe(0);
  });

  it('a worker whose connection dies while it holds jobs: the other worker answers them after redelivery, each once', async () => {
    const gated = gatedCpuBackend();
    const crashing = await embeddingWorker('crash', gated.backend, 4);
    const inputs = Array.from({ length: 40 }, (_, i) => [text(1000 + i)]);
    const answers = inputs.map((input) => harness.client.infer(sentenceEmbeddingsSkill, input, { endpoint: 'crash' }));
    await until(() => crashing.worker.stats().held === 4, 'the gated worker to hold 4 jobs');
    const survivor = await embeddingWorker('crash', cpuBackend(), 4);
    // The crash: the connection goes without acking the 4 jobs it holds.
    await crashing.connection.close();
    const results = await Promise.all(answers);
    for (const [i, result] of results.entries()) {
      await expectEqualToInProcess(result, inputs[i]!);
      expect(result.provenance.worker.id).toBe(survivor.worker.identity.id);
    }
    expect(survivor.worker.stats().answered).toBe(40);
    expect(survivor.worker.stats().redelivered).toBeGreaterThanOrEqual(4);
    expect(harness.client.stats().duplicatesDropped).toBe(0);
    gated.open();
    await crashing.worker.stop();
    expect(crashing.worker.stats().answered).toBe(0);
    await survivor.worker.stop();
  });

  it('a worker that answered but died before its ack: the redelivered job is answered again and the duplicate dropped and counted', async () => {
    const connection = await natsConnection();
    const jsm = await jetstreamManager(connection);
    await ensureJobConsumer(jsm, 'dup', ackWaitMs, 5);
    const advertised = await advertiseEndpoint(await natsConnection(), 'dup', harness.reference); // so the client publishes to it
    const answer = harness.client.infer(sentenceEmbeddingsSkill, [text(5000)], { endpoint: 'dup' });
    const consumer = await jetstream(connection).consumers.get(jobStream, consumerName('dup'));
    const message = await consumer.next({ expires: 5000 });
    expect(message).not.toBeNull();
    const job = decodeJob(message!.data);
    const { output, provenance } = await harness.reference.infer(sentenceEmbeddingsSkill, job.input as string[]);
    connection.publish(job.reply, encode({ v: protocolVersion, requestId: job.requestId, worker: { id: 'dead-before-ack', host: 'here', pid: 0 }, kind: 'result', ok: true, output, provenance }));
    await connection.flush();
    await connection.close(); // no ack
    const first = await answer;
    expect(first.provenance.worker.id).toBe('dead-before-ack');
    const survivor = await embeddingWorker('dup');
    await until(() => survivor.worker.stats().answered === 1, 'the redelivered job to be answered');
    expect(survivor.worker.stats().redelivered).toBe(1);
    await until(() => harness.client.stats().duplicatesDropped === 1, 'the duplicate answer to be dropped');
    expect(harness.client.stats().lateDropped).toBe(0);
    await survivor.worker.stop();
    await advertised.stop();
  });

  it('stop() drains: the worker answers the jobs it holds, then pulls no more; the rest wait for another worker', async () => {
    const gated = gatedCpuBackend();
    const stopping = await embeddingWorker('drain', gated.backend, 4);
    const inputs = Array.from({ length: 10 }, (_, i) => [text(2000 + i)]);
    const answers = inputs.map((input) => harness.client.infer(sentenceEmbeddingsSkill, input, { endpoint: 'drain' }));
    await until(() => stopping.worker.stats().held === 4, 'the gated worker to hold 4 jobs');
    const stopped = stopping.worker.stop();
    gated.open();
    await stopped;
    expect(stopping.worker.stats()).toMatchObject({ held: 0, answered: 4 });
    const later = await embeddingWorker('drain');
    const results = await Promise.all(answers);
    for (const [i, result] of results.entries()) await expectEqualToInProcess(result, inputs[i]!);
    expect(results.filter((result) => result.provenance.worker.id === stopping.worker.identity.id)).toHaveLength(4);
    expect(results.filter((result) => result.provenance.worker.id === later.worker.identity.id)).toHaveLength(6);
    expect(later.worker.stats().redelivered).toBe(0);
    await later.worker.stop();
  });

  it('a request id already published within the duplicate window is an InvalidInputError, not a hang', async () => {
    const connection = await natsConnection();
    const advertised = await advertiseEndpoint(connection, 'nobody', harness.reference); // known to the registry, pulled by nobody
    const earlier = await jetstream(connection).publish('accel.jobs.nobody', new Uint8Array([1]), { msgID: 'same-id' });
    expect(earlier.duplicate).toBe(false);
    const error = await caught(harness.client.infer(sentenceEmbeddingsSkill, ['once'], { endpoint: 'nobody', requestId: 'same-id', timeoutMs: 5000 }));
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).reason).toMatch(/already published/);
    expect(harness.client.stats().pending).toBe(0);
    await (await jetstreamManager(connection)).streams.deleteMessage(jobStream, earlier.seq);
    await advertised.stop();
  });

  it('no worker pulls the jobs of a known endpoint: TimeoutError, and the job is removed from the stream', async () => {
    const advertised = await advertiseEndpoint(await natsConnection(), 'nobody', harness.reference); // known to the registry, pulled by nobody
    const started = Date.now();
    const error = await caught(harness.client.infer(sentenceEmbeddingsSkill, ['nobody home'], { endpoint: 'nobody', timeoutMs: 500 }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).timeoutMs).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    const jsm = await jetstreamManager(await natsConnection());
    let messages = -1;
    for (let tries = 0; tries < 50 && messages !== 0; tries += 1) {
      messages = (await jsm.streams.info(jobStream)).state.messages;
      if (messages !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(messages).toBe(0);
    await advertised.stop();
  });
});
