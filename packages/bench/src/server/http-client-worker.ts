import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../describe-error.js';
import { embeddingsRoute } from './embeddings-routes.js';
import type { BurstReport, HttpClientsSetup } from './http-clients.js';
import { largestDifference, readErrorAnswer, type Outcome } from './requests.js';

/**
 * The HTTP clients' thread: on each `{ id }` from the bench, sends every input as its own
 * request at once (Node's fetch keeps the connections alive between bursts), checks each answer's
 * vector against the in-process one, and posts back each request's latency and outcome.
 */
const setup = workerData as HttpClientsSetup;
const route = embeddingsRoute(setup.route, setup.endpoint);
const bodies = setup.texts.map((text) => JSON.stringify(route.body(text)));

async function send(index: number): Promise<Outcome> {
  let json: unknown;
  try {
    const response = await fetch(`${setup.url}${route.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[index]!,
      signal: AbortSignal.timeout(setup.timeoutMs),
    });
    if (response.status !== 200) return { kind: 'error', message: (await readErrorAnswer(response)).line };
    json = await response.json();
  } catch (error) {
    return { kind: 'lost', message: describeError(error) };
  }
  const vector = route.vector(json);
  if (vector === undefined) return { kind: 'error', message: 'the answer holds no vector' };
  const difference = largestDifference(vector, setup.reference[index]!);
  return difference <= setup.tolerance ? { kind: 'ok' } : { kind: 'error', message: `vector off the in-process one by ${difference}` };
}

parentPort!.on('message', async ({ id }: { id: number }) => {
  const latencies: number[] = [];
  const outcomes: Outcome[] = [];
  await Promise.all(
    bodies.map(async (_, index) => {
      const startedAt = performance.now();
      outcomes[index] = await send(index).catch((error: unknown): Outcome => ({ kind: 'error', message: describeError(error) }));
      latencies[index] = performance.now() - startedAt;
    }),
  );
  const report: BurstReport = { id, latencies, outcomes };
  parentPort!.postMessage(report);
});
