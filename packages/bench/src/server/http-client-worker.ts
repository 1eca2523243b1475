import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../describe-error.js';
import { embeddingsRoute } from './embeddings-routes.js';
import type { BurstReport, HttpClientsSetup } from './http-clients.js';
import { largestDifference, type Outcome } from './requests.js';

/**
 * The HTTP clients' thread: on each `{ id }` from the bench, sends every input as its own
 * request at once over node:http with a keep-alive agent (one connection per client, kept between
 * bursts; cheaper per request than fetch, so less of the shared cores goes to the load generator), checks each answer's
 * vector against the in-process one, and posts back each request's latency and outcome.
 */
const setup = workerData as HttpClientsSetup;
const route = embeddingsRoute(setup.route, setup.endpoint);
const bodies = setup.texts.map((text) => JSON.stringify(route.body(text)));

const agent = new Agent({ keepAlive: true, maxSockets: bodies.length });
const target = new URL(`${setup.url}${route.path}`);

/** One POST; resolves with the status and the body's text, rejects when no answer comes. */
function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, signal: AbortSignal.timeout(setup.timeoutMs) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function send(index: number): Promise<Outcome> {
  let json: unknown;
  try {
    const answer = await post(bodies[index]!);
    if (answer.status !== 200) return { kind: 'error', message: `${answer.status} ${answer.text.slice(0, 200)}` };
    json = JSON.parse(answer.text);
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
