import { AccelError, BackendUnavailableError, TimeoutError } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { largestDifference } from '@accel/testkit';
import { beforeAll, expect, it } from 'vitest';
import { connectToBroker, createClusterClient, type ClusterWorker } from '../src/index.js';
import { natsSuite, until, useClusterHarness } from './harness.js';

const heartbeatMs = 200;
const timeoutMs = 8000;

type Outcome = { readonly ok: true; readonly output: { embeddings: ArrayLike<number>[] }; readonly worker: string; readonly ms: number } | { readonly ok: false; readonly error: unknown; readonly ms: number };

natsSuite('cluster across a broker restart', () => {
  let worker: ClusterWorker;
  const workerErrors: unknown[] = [];

  // Reconnect options: connectToBroker reconnects forever (maxReconnectAttempts -1); a short wait
  // between attempts (100 ms here, 1 s by default) brings both ends back soon after the broker.
  const brokerConnection = (name: string) => harness.connection((url) => connectToBroker(url, { name, reconnectWaitMs: 100 }));
  const harness = useClusterHarness({ hubId: 'Xenova/all-MiniLM-L6-v2', skill: sentenceEmbeddingsSkill, client: { timeoutMs, heartbeatMs }, clientConnection: () => brokerConnection('gateway') });

  beforeAll(async () => {
    ({ worker } = await harness.startWorker({
      endpoint: 'minilm',
      maxInFlight: 4,
      endpointOptions: { maxBatchSize: 4, batchWaitMs: 2 },
      init: true,
      connection: await brokerConnection('worker'),
      worker: { ackWaitMs: 1000, heartbeatMs, onError: (error) => workerErrors.push(error) },
    }));
  });

  const text = (i: number) => `restart sentence ${i} about ${['cats', 'dogs', 'boats'][i % 3]}`;
  const send = (i: number): Promise<Outcome> => {
    const started = performance.now();
    return harness.client.infer(sentenceEmbeddingsSkill, [text(i)], { endpoint: 'minilm' }).then(
      (result) => ({ ok: true, output: result.output, worker: result.provenance.worker.id, ms: performance.now() - started }),
      (error: unknown) => ({ ok: false, error, ms: performance.now() - started }),
    );
  };
  async function expectCorrect(outcome: Outcome, i: number): Promise<void> {
    if (!outcome.ok) throw outcome.error;
    const expected = await harness.reference.infer(sentenceEmbeddingsSkill, [text(i)]);
    expect(largestDifference(outcome.output.embeddings[0]!, expected.output.embeddings[0]!)).toBeLessThanOrEqual(1e-6);
  }

  it.each(['SIGKILL', 'SIGTERM'] as const)('%s and restart of the broker on the same port and store: requests in flight complete or fail typed, none hangs; later ones succeed', async (signal) => {
    const base = signal === 'SIGKILL' ? 0 : 1000; // distinct inputs per run
    // The path works before the restart.
    await until(() => harness.client.endpoints().some((endpoint) => endpoint.id === 'minilm' && endpoint.state === 'ready'), 'the worker to be live', 10_000);
    await expectCorrect(await send(0), 0);

    const inFlight = Array.from({ length: 60 }, (_, i) => send(base + 1 + i));
    const answeredBefore = worker.stats().answered;
    await until(() => worker.stats().answered >= answeredBefore + 5, 'some requests to be answered before the kill');
    await harness.server.kill(signal);
    // Requests sent while the broker is down.
    const duringOutage = Array.from({ length: 5 }, (_, i) => send(base + 100 + i));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await harness.server.restart();

    const outcomes = await Promise.all([...inFlight, ...duringOutage]);
    const indices = [...Array.from({ length: 60 }, (_, i) => base + 1 + i), ...Array.from({ length: 5 }, (_, i) => base + 100 + i)];
    let completed = 0;
    const failures: string[] = [];
    for (const [n, outcome] of outcomes.entries()) {
      // None hangs: each settled within its timeout (plus the time to notice it).
      expect(outcome.ms).toBeLessThan(timeoutMs + 1000);
      if (outcome.ok) {
        await expectCorrect(outcome, indices[n]!);
        completed += 1;
      } else {
        const error = outcome.error;
        expect(AccelError.isInstance(error), `request ${indices[n]} rejected with ${String(error)}`).toBe(true);
        expect(TimeoutError.isInstance(error) || BackendUnavailableError.isInstance(error), `request ${indices[n]}: ${(error as AccelError).code}`).toBe(true);
        failures.push(`${(error as AccelError).code}: ${(error as AccelError).message}`);
      }
    }
    // Most in-flight requests survive the restart (the stream is on disk; unacked jobs are redelivered).
    expect(completed).toBeGreaterThan(0);
    console.info(`broker ${signal} and restart: ${completed} of ${outcomes.length} requests completed, ${failures.length} failed typed; the worker saw ${worker.stats().redelivered} redelivered jobs in all, the client dropped ${harness.client.stats().duplicatesDropped} duplicate answers\n${[...new Set(failures)].join('\n')}`);

    // After the restart both ends are back: the worker heartbeats again and new requests succeed.
    await until(() => harness.client.endpoints().some((endpoint) => endpoint.id === 'minilm' && endpoint.state === 'ready'), 'the worker to be live again', 10_000);
    // The gateway's watch of the registry survived the restart: heartbeats keep arriving with no request asking.
    await new Promise((resolve) => setTimeout(resolve, 2 * 3 * heartbeatMs));
    expect(harness.client.describe().workers.find((entry) => entry.worker.id === worker.identity.id)).toMatchObject({ live: true });
    expect(harness.client.describe().workers.find((entry) => entry.worker.id === worker.identity.id)!.sinceHeartbeatMs).toBeLessThan(3 * heartbeatMs);
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => send(base + 200 + i)));
    for (const [i, outcome] of after.entries()) await expectCorrect(outcome, base + 200 + i);
    expect(harness.client.stats().pending).toBe(0);
  });

  it('a gateway that reconnects later than the worker loses no answer: results wait, unacked, until it confirms one', async () => {
    await until(() => harness.client.endpoints().some((endpoint) => endpoint.id === 'minilm' && endpoint.state === 'ready'), 'the worker to be live', 10_000);
    // The worker retries every 100 ms, this gateway every 2 s: the worker answers jobs while no one listens on the gateway's inbox.
    const lateConnection = await harness.connection((url) => connectToBroker(url, { name: 'late gateway', reconnectWaitMs: 2000 })); // closed in afterAll with the others
    const late = await createClusterClient({ connection: lateConnection, timeoutMs, heartbeatMs });
    try {
      const inputs = Array.from({ length: 40 }, (_, i) => 3000 + i);
      const started = performance.now();
      const answers = inputs.map((i) =>
        late.infer(sentenceEmbeddingsSkill, [text(i)], { endpoint: 'minilm' }).then(
          (result): Outcome => ({ ok: true, output: result.output, worker: result.provenance.worker.id, ms: performance.now() - started }),
          (error: unknown): Outcome => ({ ok: false, error, ms: performance.now() - started }),
        ),
      );
      const answeredBefore = worker.stats().answered;
      await until(() => worker.stats().answered >= answeredBefore + 3, 'some requests to be answered before the kill');
      await harness.server.kill('SIGTERM');
      await harness.server.restart();
      const outcomes = await Promise.all(answers);
      for (const [n, outcome] of outcomes.entries()) await expectCorrect(outcome, inputs[n]!);
      expect(late.stats()).toMatchObject({ pending: 0 });
    } finally {
      await late.close();
    }
  });
});
