import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { gatedCpuBackend, modelRoot, quietLogger, tinyMiniLm } from './helpers.js';

const modelId = 'Xenova/all-MiniLM-L6-v2';
const models = { cacheDirectory: modelRoot, offline: true };
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await tinyMiniLm();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Resolves once a request reached the server and started the lazy endpoint's load (bounded: 10 s). */
async function loadingStarted(accel: Accel, id: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && accel.status(id)[0]?.state !== 'loading'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(accel.status(id)[0]?.state).toBe('loading');
}

async function start(accel: Accel, options: Omit<Parameters<typeof createServer>[0], 'accel'>): Promise<{ server: AccelServer; url: string }> {
  const server = createServer({ accel, port: 0, logger: quietLogger(), ...options });
  cleanups.push(() => accel.dispose());
  cleanups.push(() => server.close());
  return { server, url: (await server.listen()).url };
}

describe('GET /ready', () => {
  it('is 503 while an endpoint loads, 200 once it is loaded; a lazy endpoint does not hold it back', async () => {
    const { backend, open } = gatedCpuBackend();
    const accel = new Accel({ backends: [backend], models });
    const { server, url } = await start(accel, {
      endpoints: [
        { name: 'minilm', skill: sentenceEmbeddingsSkill, model: modelId },
        { name: 'later', skill: sentenceEmbeddingsSkill, model: modelId, lazy: true },
      ],
    });
    const before = await fetch(`${url}/ready`);
    expect(before.status).toBe(503);
    const waiting = (await before.json()) as { ready: boolean; endpoints: Array<{ id: string; state: string }> };
    expect(waiting.ready).toBe(false);
    expect(waiting.endpoints.find((endpoint) => endpoint.id === 'minilm')?.state).toMatch(/^(added|loading)$/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    open();
    await server.loaded;
    const after = await fetch(`${url}/ready`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({
      ready: true,
      endpoints: [
        { id: 'minilm', state: 'ready', device: 'cpu' },
        { id: 'later', state: 'added', device: 'cpu' },
      ],
    });
  });

  it('is 503 naming the error when an endpoint failed to load, whose requests get a 500 with accel’s code', async () => {
    const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models });
    const { server, url } = await start(accel, { endpoints: [{ name: 'missing', skill: sentenceEmbeddingsSkill, model: 'nobody/no-such-model' }] });
    await server.loaded;
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { endpoints: Array<{ state: string; error?: { code: string } }> };
    expect(body.endpoints[0]).toMatchObject({ state: 'failed', error: { code: 'ACCEL_MODEL_NOT_FOUND' } });
    const infer = await fetch(`${url}/v1/accel/infer/missing`, { method: 'POST', body: JSON.stringify({ input: 'x' }) });
    expect(infer.status).toBe(500);
    expect(((await infer.json()) as { error: { code: string; type: string } }).error).toMatchObject({ code: 'ACCEL_MODEL_NOT_FOUND', type: 'server_error' });
  });

  it('is 503 once close() begins', async () => {
    const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models });
    const server = createServer({ accel, endpoints: [{ name: 'minilm', skill: sentenceEmbeddingsSkill, model: modelId }], logger: quietLogger() });
    cleanups.push(() => accel.dispose());
    await server.loaded;
    expect((await server.fetch(new Request('http://embedded/ready'))).status).toBe(200);
    await server.close();
    expect((await server.fetch(new Request('http://embedded/ready'))).status).toBe(503);
    const refused = await server.fetch(new Request('http://embedded/v1/accel/infer/minilm', { method: 'POST', body: '{"input":"x"}' }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
  });
});

describe('the API key', () => {
  it('is required as a bearer token on the API routes (401 otherwise), not on /health, /ready or /metrics', async () => {
    const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models });
    const { server, url } = await start(accel, { apiKey: 'right-key', endpoints: [{ name: 'minilm', skill: sentenceEmbeddingsSkill, model: modelId }] });
    await server.loaded;
    const infer = (authorization?: string) =>
      fetch(`${url}/v1/accel/infer/minilm`, { method: 'POST', headers: authorization === undefined ? {} : { authorization }, body: JSON.stringify({ input: 'hello' }) });
    for (const authorization of [undefined, 'Bearer wrong-key', 'Bearer right-key-but-longer', 'Bearer r', 'right-key']) {
      const response = await infer(authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await response.json()) as { error: { code: string; type: string } }).error).toMatchObject({ code: 'invalid_api_key', type: 'authentication_error' });
    }
    expect((await infer('Bearer right-key')).status).toBe(200);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer right-key' } })).status).toBe(200);
    for (const path of ['/health', '/ready', '/metrics']) expect((await fetch(`${url}${path}`)).status, path).toBe(200);
    const document = (await (await fetch(`${url}/openapi.json`, { headers: { authorization: 'Bearer right-key' } })).json()) as { components: { securitySchemes?: unknown } };
    expect(document.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
  });
});

describe('CORS', () => {
  it('is off by default and answers the configured origin when asked', async () => {
    const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models });
    const { url: closed } = await start(accel, {});
    expect((await fetch(`${closed}/health`, { headers: { origin: 'http://app.test' } })).headers.get('access-control-allow-origin')).toBeNull();
    const { url: open } = await start(new Accel({ backends: [createCpuBackend({ threads: 1 })] }), { cors: { origin: 'http://app.test' } });
    const preflight = await fetch(`${open}/v1/models`, { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.test');
    const simple = await fetch(`${open}/health`, { headers: { origin: 'http://app.test' } });
    expect(simple.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});

describe('a full queue', () => {
  it('answers 429 with retry-after, in the error shape, while the requests it took succeed', async () => {
    const { backend, open } = gatedCpuBackend();
    const accel = new Accel({ backends: [backend], models });
    const { url } = await start(accel, {
      endpoints: [{ name: 'minilm', skill: sentenceEmbeddingsSkill, model: modelId, lazy: true, maxQueueSize: 1, maxBatchSize: 1, deduplicate: false }],
    });
    // All three wait for the load, then reach the queue of one in the same turn.
    const responses = ['one', 'two', 'three'].map((input) => fetch(`${url}/v1/accel/infer/minilm`, { method: 'POST', body: JSON.stringify({ input }) }));
    await loadingStarted(accel, 'minilm');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    open();
    const settled = await Promise.all(responses);
    expect(settled.map((response) => response.status).sort()).toEqual([200, 429, 429]);
    for (const response of settled.filter((candidate) => candidate.status === 429)) {
      expect(response.headers.get('retry-after')).toBe('1');
      expect(((await response.json()) as { error: { code: string; type: string } }).error).toMatchObject({ code: 'ACCEL_QUEUE_FULL', type: 'rate_limit_error' });
    }
  });
});

describe('a client that disconnects', () => {
  it('aborts its request: the endpoint never runs it', async () => {
    const { backend, open } = gatedCpuBackend();
    const accel = new Accel({ backends: [backend], models });
    const { url } = await start(accel, { endpoints: [{ name: 'minilm', skill: sentenceEmbeddingsSkill, model: modelId, lazy: true }] });
    const controller = new AbortController();
    // The request waits for the endpoint, whose load waits for the gate.
    const request = fetch(`${url}/v1/accel/infer/minilm`, { method: 'POST', body: JSON.stringify({ input: 'never run' }), signal: controller.signal });
    const failed = request.then(
      () => 'answered',
      (error: Error) => error.name,
    );
    await loadingStarted(accel, 'minilm');
    controller.abort();
    expect(await failed).toBe('AbortError');
    // The server sees the disconnect while the endpoint still loads, and fails the request then.
    const aborted = /^accel_request_failures_total\{endpoint="minilm",code="ACCEL_ABORTED"\} 1$/m;
    let metrics = '';
    for (let attempt = 0; attempt < 100 && !aborted.test(metrics); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await (await fetch(`${url}/metrics`)).text();
    }
    expect(metrics).toMatch(aborted);
    expect(accel.status('minilm')[0]?.state).toBe('loading');
    open();
    for (let attempt = 0; attempt < 200 && accel.status('minilm')[0]?.state === 'loading'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    const [status] = accel.status('minilm');
    expect(status?.state).toBe('ready');
    expect(status?.served).toBe(0);
  });
});
