import { AbortedError, InferenceError, TimeoutError, type BackendV1 } from '@accel/core';
import { gpt2Skill } from '@accel/skill-gpt2';
import { collectStream, gatedBackend, pacedBackend } from '@accel/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { expect, it } from 'vitest';
import {
  abortSubject,
  consumerName,
  decodeJob,
  decodeReply,
  encode,
  jobStream,
  protocolVersion,
  type ClusterWorker,
  type JobMessage,
} from '../src/index.js';
import { cpuBackend, natsSuite, until, useClusterHarness } from './harness.js';

const prompt = 'Once upon a time';

natsSuite('streaming and abort across the cluster', () => {
  const harness = useClusterHarness({ hubId: 'Xenova/gpt2', skill: gpt2Skill, client: { timeoutMs: 30_000 } });
  const natsConnection = () => harness.connection();

  const gpt2Worker = async (endpoint: string, options: { backend?: BackendV1; ackWaitMs?: number; maxInFlight?: number } = {}): Promise<ClusterWorker> =>
    (
      await harness.startWorker({
        endpoint,
        maxInFlight: options.maxInFlight ?? 4,
        ...(options.backend === undefined ? {} : { backend: options.backend }),
        endpointOptions: { maxBatchSize: 4 },
        worker: { ackWaitMs: options.ackWaitMs ?? 2000 },
      })
    ).worker;

  /** A worker with one slot on a gated backend (`gated.open()` lets it run), holding the stream of `maxNewTokens` it was sent. */
  async function heldStream(endpoint: string, maxNewTokens: number) {
    const gated = gatedBackend(cpuBackend());
    const worker = await gpt2Worker(endpoint, { backend: gated.backend, maxInFlight: 1 });
    const stream = harness.client.stream(gpt2Skill, prompt, { endpoint, maxNewTokens });
    await until(() => worker.stats().held === 1, `the gated worker to hold the first job of ${endpoint}`);
    return { gated, worker, stream };
  }

  /** Every reply a worker sends for `requestId`, seen from a second connection on the inboxes' subjects. */
  async function tapReplies(requestId: string): Promise<{ pieces: () => number; results: () => number }> {
    const connection = await natsConnection();
    let pieces = 0;
    let results = 0;
    connection.subscribe('_INBOX.>', {
      callback: (_error, message) => {
        try {
          const reply = decodeReply(message.data);
          if (reply.requestId !== requestId) return;
          if (reply.kind === 'piece') pieces += 1;
          else results += 1;
        } catch {
          // not a reply
        }
      },
    });
    await connection.flush();
    return { pieces: () => pieces, results: () => results };
  }

  async function consumerState(endpoint: string): Promise<{ pending: number; ackPending: number }> {
    const jsm = await jetstreamManager(harness.connections[0]!);
    const info = await jsm.consumers.info(jobStream, consumerName(endpoint));
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  it('streams a greedy generation piece by piece: the pieces and the result equal the in-process accel.stream, and the worker is named', async () => {
    const worker = await gpt2Worker('gpt2');
    const options = { maxNewTokens: 12 };
    const expected = await collectStream(harness.reference.stream(gpt2Skill, prompt, options));
    const stream = harness.client.stream(gpt2Skill, prompt, { endpoint: 'gpt2', ...options });
    const { pieces } = await collectStream(stream);
    const result = await stream.result;
    expect(expected.pieces.length).toBeGreaterThan(1);
    expect(pieces).toEqual(expected.pieces);
    expect(pieces.join('')).toBe(expected.result.output.text);
    expect(result.output).toEqual(expected.result.output);
    expect(result.provenance.worker).toEqual(worker.identity);
    expect(result.provenance.endpoint).toBe('gpt2');
    expect(result.provenance.timings.tokensGenerated).toBe(12);

    // The same request without streaming: the same output, no pieces.
    const whole = await harness.client.infer(gpt2Skill, prompt, { endpoint: 'gpt2', ...options });
    expect(whole.output).toEqual(expected.result.output);
    expect(harness.client.stats()).toMatchObject({ pending: 0, duplicatesDropped: 0, lateDropped: 0, streamsBroken: 0 });
    // The worker acks after the answer is out.
    await until(() => worker.stats().held === 0, 'the worker to ack');
    expect(worker.stats()).toMatchObject({ answered: 2, aborted: 0 });
  });

  /** The cpu backend at about `msPerToken` per generated token whatever the machine, so a test can act mid-generation. */
  const paced = (msPerToken = 10) => pacedBackend(cpuBackend(), msPerToken);

  it("aborting the client's signal after the first pieces stops the worker's generation, and the job is acked", async () => {
    const worker = await gpt2Worker('abort', { backend: paced() });
    const maxNewTokens = 100;
    // Unaborted, this prompt runs to all 100 tokens: a generation that did not stop would send ~100 pieces.
    const full = await harness.client.infer(gpt2Skill, prompt, { endpoint: 'abort', maxNewTokens });
    expect(full.output.tokens).toHaveLength(maxNewTokens);

    const requestId = 'abort-after-two-pieces';
    const tap = await tapReplies(requestId);
    const controller = new AbortController();
    const stream = harness.client.stream(gpt2Skill, prompt, { endpoint: 'abort', maxNewTokens, requestId, signal: controller.signal });
    stream.result.catch(() => undefined);
    const pieces: string[] = [];
    const iterated = (async () => {
      for await (const piece of stream) {
        pieces.push(piece);
        if (pieces.length === 2) controller.abort();
      }
    })();
    await expect(iterated).rejects.toSatisfy(AbortedError.isInstance);
    await expect(stream.result).rejects.toSatisfy(AbortedError.isInstance);
    // Pieces already received when the signal aborted may still be yielded before the AbortedError, as in-process.
    expect(pieces.length).toBeGreaterThanOrEqual(2);

    await until(() => worker.stats().aborted === 1 && worker.stats().held === 0, 'the worker to stop and ack the aborted job');
    // Let any pieces still on their way arrive before counting them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tap.pieces()).toBeGreaterThanOrEqual(pieces.length);
    expect(tap.pieces()).toBeLessThan(maxNewTokens / 4);
    expect(tap.results()).toBe(0); // an aborted job is acked without an answer
    expect(worker.stats()).toMatchObject({ answered: 1, aborted: 1, held: 0 });
    expect(await consumerState('abort')).toEqual({ pending: 0, ackPending: 0 });
    expect(harness.client.stats().pending).toBe(0);

    // The endpoint serves the next request as before.
    const next = await harness.client.infer(gpt2Skill, prompt, { endpoint: 'abort', maxNewTokens: 12 });
    expect(next.output.tokens).toEqual(full.output.tokens.slice(0, 12));
  });

  it("a stream's timeout stops the worker's generation too", async () => {
    const worker = await gpt2Worker('timeout', { backend: paced() });
    await harness.client.infer(gpt2Skill, prompt, { endpoint: 'timeout', maxNewTokens: 2 }); // loads the model
    const requestId = 'times-out-mid-generation';
    const tap = await tapReplies(requestId);
    const timeoutMs = 150;
    const stream = harness.client.stream(gpt2Skill, prompt, { endpoint: 'timeout', maxNewTokens: 100, requestId, timeoutMs });
    const error = await collectStream(stream).catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).timeoutMs).toBe(timeoutMs);
    await until(() => worker.stats().aborted === 1 && worker.stats().held === 0, 'the worker to stop and ack the timed-out job');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // 100 tokens take at least 1000 ms on the paced backend; stopped at ~150 ms, well short of them.
    expect(tap.pieces()).toBeLessThan(75);
    expect(tap.results()).toBe(0);
    expect(await consumerState('timeout')).toEqual({ pending: 0, ackPending: 0 });
  });

  it('an abort that reaches the worker before its job does: the worker acks the job without running it', async () => {
    // The first job occupies the worker's only slot; the second waits in the stream.
    const { gated, worker, stream: first } = await heldStream('early', 4);
    const publisher = await natsConnection();
    const requestId = 'aborted-before-pulled';
    // A job whose client gave up before any worker took it (here published by hand, so the client does not delete it).
    const job: JobMessage = { v: protocolVersion, requestId, skill: 'gpt2', endpoint: 'early', input: prompt, options: { maxNewTokens: 4 }, reply: '_INBOX.nobody', stream: true };
    await jetstream(publisher).publish('accel.jobs.early', encode(job), { msgID: requestId });
    publisher.publish(abortSubject(requestId));
    await publisher.flush();
    gated.open();
    const done = await collectStream(first);
    expect(done.result.output.tokens).toHaveLength(4);
    await until(() => worker.stats().aborted === 1 && worker.stats().held === 0, 'the worker to drop the aborted job');
    expect(worker.stats().answered).toBe(1);
    expect(await consumerState('early')).toEqual({ pending: 0, ackPending: 0 });
  });

  it('a generation longer than ackWaitMs is kept by working(): not redelivered to the other worker, the stream is not broken', async () => {
    // ack waits of 400 ms, renewed every ~133 ms: a loaded CI machine's event-loop stalls (the pacing
    // runs inline) stay well inside one, while the generation outlives six of them.
    const ackWaitMs = 400;
    // Paced: 100 tokens take at least 2500 ms on any machine.
    const a = await gpt2Worker('long', { ackWaitMs, backend: paced(25) });
    const b = await gpt2Worker('long', { ackWaitMs, backend: paced(25) });
    const options = { maxNewTokens: 100 };
    const expected = await collectStream(harness.reference.stream(gpt2Skill, prompt, options));
    const started = performance.now();
    const remote = await collectStream(harness.client.stream(gpt2Skill, prompt, { endpoint: 'long', ...options }));
    const elapsed = performance.now() - started;
    // The test means something only if the job outlived several ack waits.
    expect(elapsed).toBeGreaterThan(5 * ackWaitMs);
    expect(remote.pieces).toEqual(expected.pieces);
    expect(remote.result.output).toEqual(expected.result.output);
    // A redelivery would show up within an ack wait or two.
    await new Promise((resolve) => setTimeout(resolve, 5 * ackWaitMs));
    expect(a.stats().redelivered + b.stats().redelivered).toBe(0);
    expect(a.stats().answered + b.stats().answered).toBe(1);
    expect(harness.client.stats()).toMatchObject({ duplicatesDropped: 0, lateDropped: 0, streamsBroken: 0 });
  });

  it('pieces from a second worker for the same request (a redelivered job), or a gap in the order, reject the stream with InferenceError and are counted', async () => {
    // A worker holding one job keeps the endpoint live and leaves the next jobs to the hand-driven consumer below.
    const { gated, stream: held } = await heldStream('broken', 2);
    const brokenBefore = harness.client.stats().streamsBroken; // counted from here: an earlier test's failure must not fail this one

    const connection = await natsConnection();
    const consumer = await jetstream(connection).consumers.get(jobStream, consumerName('broken'));
    const fake = (id: string) => ({ id, host: 'test', pid: 0 });
    const send = (job: JobMessage, worker: string, index: number, text: string) =>
      connection.publish(job.reply, encode({ v: protocolVersion, requestId: job.requestId, worker: fake(worker), kind: 'piece', index, text }));

    // Two workers' pieces interleave: the stream breaks at the second worker's first piece.
    const twoWorkers = harness.client.stream(gpt2Skill, prompt, { endpoint: 'broken', maxNewTokens: 8 });
    const first = await consumer.next({ expires: 5000 });
    const job = decodeJob(first!.data);
    expect(job.stream).toBe(true);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const piece of twoWorkers) seen.push(piece);
    })().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    send(job, 'worker-a', 0, 'Once');
    send(job, 'worker-a', 1, ' upon');
    send(job, 'worker-b', 0, 'Once');
    await connection.flush();
    await first!.ackAck();
    expect(InferenceError.isInstance(await reading)).toBe(true);
    const error = await twoWorkers.result.catch((caught: unknown) => caught);
    expect(InferenceError.isInstance(error)).toBe(true);
    expect((error as InferenceError).message).toMatch(/worker worker-b answered it too, after worker worker-a had sent 2 pieces/);
    expect(seen).toEqual(['Once', ' upon']);
    expect(harness.client.stats().streamsBroken).toBe(brokenBefore + 1);

    // A gap: piece 2 where piece 1 was due.
    const gap = harness.client.stream(gpt2Skill, prompt, { endpoint: 'broken', maxNewTokens: 8 });
    gap.result.catch(() => undefined);
    const second = await consumer.next({ expires: 5000 });
    const gapJob = decodeJob(second!.data);
    send(gapJob, 'worker-a', 0, 'Once');
    send(gapJob, 'worker-a', 2, ' a');
    await connection.flush();
    await second!.ackAck();
    const gapError = await gap.result.catch((caught: unknown) => caught);
    expect(InferenceError.isInstance(gapError)).toBe(true);
    expect((gapError as InferenceError).message).toMatch(/piece 2 arrived where piece 1 was due/);
    expect(harness.client.stats().streamsBroken).toBe(brokenBefore + 2);

    gated.open();
    expect((await collectStream(held)).result.output.tokens).toHaveLength(2);
  });
});
