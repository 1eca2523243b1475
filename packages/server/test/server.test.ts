import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger, tinyMiniLm } from './helpers.js';

let accel: Accel;
let server: AccelServer;
let url: string;
const modelId = 'Xenova/all-MiniLM-L6-v2';
const logger = quietLogger();

beforeAll(async () => {
  await tinyMiniLm();
  // The forged model sits in the cache under its hub id, so the endpoint names a hub id, offline.
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models: { cacheDirectory: modelRoot, offline: true } });
  server = createServer({ accel, endpoints: [{ name: 'minilm', skill: sentenceEmbeddingsSkill, model: modelId }], port: 0, logger });
  url = (await server.listen()).url;
  await server.loaded;
});

afterAll(async () => {
  await server.close();
  await accel.dispose();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

interface ErrorJson {
  error: { message: string; type: string; param: string | null; code: string | null };
}

async function expectError(response: Response, status: number, code: string, param?: string | null): Promise<ErrorJson> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorJson;
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (param !== undefined) expect(body.error.param).toBe(param);
  return body;
}

describe('POST /v1/accel/infer/{endpoint}', () => {
  it('returns the same vectors as an in-process accel.infer, with provenance in the body and the headers', async () => {
    const sentences = ['a cat sat on the mat', 'the dog barked'];
    const response = await post('/v1/accel/infer/minilm', { input: sentences, options: { normalize: false } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { output: { embeddings: number[][]; dimensions: number }; provenance: { endpoint: string; backend: string } };
    const local = await accel.infer(sentenceEmbeddingsSkill, sentences, { normalize: false, endpoint: 'minilm' });
    expect(body.output.dimensions).toBe(local.output.dimensions);
    expect(body.output.embeddings).toHaveLength(2);
    body.output.embeddings.forEach((embedding, row) => {
      expect(Array.isArray(embedding)).toBe(true);
      expect(embedding).toHaveLength(local.output.dimensions);
      embedding.forEach((value, column) => expect(Math.abs(value - local.output.embeddings[row]![column]!)).toBeLessThanOrEqual(1e-6));
    });
    // Not normalised, as asked: the options reached the skill.
    expect(Math.hypot(...body.output.embeddings[0]!)).not.toBeCloseTo(1, 3);
    expect(body.provenance.endpoint).toBe('minilm');
    expect(response.headers.get('x-accel-endpoint')).toBe('minilm');
    expect(response.headers.get('x-accel-backend')).toBe('cpu');
    expect(response.headers.get('x-accel-device')).toBe('cpu');
    expect(Number(response.headers.get('x-accel-queue-ms'))).toBeGreaterThanOrEqual(0);
    expect(Number(response.headers.get('x-accel-inference-ms'))).toBeGreaterThan(0);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes the client’s x-request-id, on success and on errors', async () => {
    const ok = await post('/v1/accel/infer/minilm', { input: 'hello' }, { 'x-request-id': 'client-id-42' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('client-id-42');
    const missing = await fetch(`${url}/no/such/route`, { headers: { 'x-request-id': 'client-id-43' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('client-id-43');
    const invalid = await fetch(`${url}/health`, { headers: { 'x-request-id': 'not valid!' } });
    expect(invalid.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 400 naming the field for input and options the skill’s schemas reject', async () => {
    const badItem = await expectError(await post('/v1/accel/infer/minilm', { input: ['fine', 42] }), 400, 'ACCEL_INVALID_INPUT', 'input[1]');
    expect(badItem.error.type).toBe('invalid_request_error');
    await expectError(await post('/v1/accel/infer/minilm', { input: 'fine', options: { pooling: 'median' } }), 400, 'ACCEL_INVALID_INPUT', 'options.pooling');
    await expectError(await post('/v1/accel/infer/minilm', { options: {} }), 400, 'ACCEL_INVALID_INPUT', 'input');
    await expectError(await post('/v1/accel/infer/minilm', { input: 'x', extra: 1 }), 400, 'ACCEL_INVALID_INPUT', 'extra');
    await expectError(await post('/v1/accel/infer/minilm', '{"input": '), 400, 'invalid_json');
  });

  it('answers 404 for an unknown endpoint, model or route, in the error shape', async () => {
    await expectError(await post('/v1/accel/infer/nope', { input: 'x' }), 404, 'model_not_found');
    await expectError(await fetch(`${url}/v1/models/nope%2Fnothing`), 404, 'model_not_found');
    await expectError(await fetch(`${url}/v1/embeddings-not-yet`), 404, 'not_found');
    await expectError(await fetch(`${url}/health`, { method: 'DELETE' }), 404, 'not_found');
  });

  it('answers 413 for a body over the 2 MB limit, before parsing it', async () => {
    const big = JSON.stringify({ input: 'a'.repeat(2_100_000) });
    await expectError(await post('/v1/accel/infer/minilm', big), 413, 'payload_too_large');
  });
});

describe('models, status and health', () => {
  it('lists one entry per endpoint, and finds one by name or by model id (which contains /)', async () => {
    const list = (await (await fetch(`${url}/v1/models`)).json()) as { object: string; data: Array<{ id: string; object: string; root: string; owned_by: string }> };
    expect(list.object).toBe('list');
    expect(list.data).toEqual([expect.objectContaining({ id: 'minilm', object: 'model', root: modelId, owned_by: 'accel' })]);
    const byName = (await (await fetch(`${url}/v1/models/minilm`)).json()) as { id: string };
    expect(byName.id).toBe('minilm');
    const byModel = await fetch(`${url}/v1/models/${encodeURIComponent(modelId)}`);
    expect(byModel.status).toBe(200);
    expect(((await byModel.json()) as { id: string }).id).toBe('minilm');
    const rawSlashes = await fetch(`${url}/v1/models/${modelId}`);
    expect(rawSlashes.status).toBe(200);
  });

  it('serves /health, /ready and /v1/accel/status', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, endpoints: [{ id: 'minilm', state: 'ready', device: 'cpu' }] });
    const status = (await (await fetch(`${url}/v1/accel/status`)).json()) as { endpoints: Array<{ id: string; skill: string; state: string }> };
    expect(status.endpoints).toEqual([expect.objectContaining({ id: 'minilm', skill: 'sentence-embeddings', state: 'ready' })]);
  });
});

describe('GET /metrics', () => {
  const count = (text: string, status: string) => {
    const line = text.split('\n').find((entry) => entry.startsWith(`accel_http_requests_total{route="/v1/accel/infer/{endpoint}",method="POST",status="${status}"}`));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };

  it('counts the requests served, by route and status, with process metrics beside them', async () => {
    const before = await (await fetch(`${url}/metrics`)).text();
    for (const text of ['one', 'two', 'three']) expect((await post('/v1/accel/infer/minilm', { input: text })).status).toBe(200);
    expect((await post('/v1/accel/infer/minilm', { input: '' })).status).toBe(400);
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const after = await response.text();
    expect(count(after, '200') - count(before, '200')).toBe(3);
    expect(count(after, '400') - count(before, '400')).toBe(1);
    expect(after).toMatch(/^accel_inference_duration_seconds_count\{endpoint="minilm"\} \d+$/m);
    expect(after).toMatch(/^accel_endpoint_ready\{endpoint="minilm",device="cpu"\} 1$/m);
    expect(after).toMatch(/^accel_request_failures_total\{endpoint="minilm",code="ACCEL_INVALID_INPUT"\} \d+$/m);
    expect(after).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document naming each endpoint’s path, with the skill’s input schema', async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { post?: { requestBody: { content: { 'application/json': { schema: { properties: { input: unknown } } } } } } }>;
    };
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const infer = document.paths['/v1/accel/infer/minilm']?.post;
    expect(infer).toBeDefined();
    expect(JSON.stringify(infer!.requestBody.content['application/json'].schema.properties.input)).toContain('"type":"string"');
    // A broken document fails the same validator: the check can fail.
    expect((await new Validator().validate({ openapi: '3.1.0', paths: {} })).valid).toBe(false);
  });
});
