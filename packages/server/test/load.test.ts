import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger, tinyMiniLm } from './helpers.js';

/**
 * A bounded loopback load test: 2,000 requests from 64 clients, each client sending its next
 * request as soon as its last one is answered (Node's fetch keeps the connections alive, so at
 * most 64 are open). Nothing may be lost, every answer must hold the vector the in-process call
 * gives for its input, and the server's metrics must say what it served.
 */
const requests = 2000;
const clients = 64;
const distinctInputs = 300;
const route = '/v1/embeddings';

let accel: Accel;
let server: AccelServer;
let url: string;
const logger = quietLogger();

beforeAll(async () => {
  await tinyMiniLm();
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models: { cacheDirectory: modelRoot, offline: true } });
  server = createServer({ accel, endpoints: [{ name: 'minilm', skill: sentenceEmbeddingsSkill, model: 'Xenova/all-MiniLM-L6-v2' }], port: 0, logger });
  url = (await server.listen()).url;
  await server.loaded;
});

afterAll(async () => {
  await server?.close();
  await accel?.dispose();
});

/** The value of one sample line of the Prometheus text; 0 when the series has not appeared, unless `required`. */
function sample(metrics: string, series: string, required = false): number {
  const line = metrics.split('\n').find((entry) => entry.startsWith(`${series} `));
  if (line === undefined && required) throw new Error(`/metrics has no ${series}`);
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const served = (metrics: string, status: number, required = false) => sample(metrics, `accel_http_requests_total{route="${route}",method="POST",status="${status}"}`, required);

interface Answer {
  readonly status: number;
  readonly embedding?: readonly number[];
  readonly error?: string;
}

describe('2,000 embeddings requests over 64 connections on loopback', () => {
  it('answers every one with 200 and the in-process vector for its input, loses none, and batches them', async () => {
    const inputs = Array.from({ length: distinctInputs }, (_, index) => `sentence number ${index}: the ${['quick', 'lazy', 'old', 'young'][index % 4]} ${['fox', 'dog', 'cat'][index % 3]} ${'jumps '.repeat(1 + (index % 5))}over the fence`);
    // The in-process reference, one vector per distinct input (not observed by the server's metrics).
    const reference = await accel.infer(sentenceEmbeddingsSkill, inputs, { endpoint: 'minilm' });
    expect(reference.output.embeddings).toHaveLength(distinctInputs);
    const before = await (await fetch(`${url}/metrics`)).text();

    const answers: Array<Answer | undefined> = Array.from({ length: requests });
    let next = 0;
    let sent = 0;
    const client = async () => {
      while (next < requests) {
        const index = next;
        next += 1;
        sent += 1;
        try {
          const response = await fetch(`${url}${route}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'minilm', input: inputs[index % distinctInputs], encoding_format: 'float' }),
          });
          const body = (await response.json()) as { data?: Array<{ embedding: number[] }>; error?: { message: string } };
          answers[index] = { status: response.status, ...(body.data ? { embedding: body.data[0]!.embedding } : { error: body.error?.message ?? 'no data' }) };
        } catch (error) {
          answers[index] = { status: 0, error: (error as Error).message };
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, client));

    expect(sent).toBe(requests);
    const lost = answers.flatMap((answer, index) => (answer === undefined ? [index] : []));
    expect(lost).toEqual([]);
    const failed = answers.flatMap((answer, index) => (answer!.status === 200 ? [] : [`#${index}: ${answer!.status} ${answer!.error ?? ''}`]));
    expect(failed).toEqual([]);
    let worst = 0;
    answers.forEach((answer, index) => {
      const expected = reference.output.embeddings[index % distinctInputs]!;
      expect(answer!.embedding).toHaveLength(expected.length);
      answer!.embedding!.forEach((value, column) => (worst = Math.max(worst, Math.abs(value - expected[column]!))));
    });
    // Batched with other inputs (padded to other lengths) or alone, a vector stays the same to float precision.
    expect(worst).toBeLessThanOrEqual(1e-5);

    const after = await (await fetch(`${url}/metrics`)).text();
    expect(served(after, 200, true) - served(before, 200)).toBe(requests);
    for (const status of [400, 429, 500, 503, 504]) expect(served(after, status), `status ${status}`).toBe(0);
    expect(after).not.toMatch(/^accel_request_failures_total\{/m);
    // Concurrent HTTP clients batch together: some requests ran in batches of more than one.
    const observed = sample(after, 'accel_batch_size_count{endpoint="minilm"}', true) - sample(before, 'accel_batch_size_count{endpoint="minilm"}');
    const alone = sample(after, 'accel_batch_size_bucket{le="1",endpoint="minilm"}', true) - sample(before, 'accel_batch_size_bucket{le="1",endpoint="minilm"}');
    expect(observed).toBeGreaterThanOrEqual(requests - sample(after, 'accel_deduplicated_total{endpoint="minilm"}'));
    expect(observed - alone).toBeGreaterThan(0);
    expect(logger.errors).toEqual([]);
  }, 60_000);
});
