import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, parseServerConfig, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger, tinyMiniLm } from './helpers.js';

const modelId = 'Xenova/all-MiniLM-L6-v2';
const adminKey = 'admin-secret';
const apiKey = 'api-secret';
let accel: Accel;
let server: AccelServer;
let url: string;

beforeAll(async () => {
  await tinyMiniLm();
  // The skill is registered but no endpoint serves it: the admin route adds them.
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [sentenceEmbeddingsSkill], models: { cacheDirectory: modelRoot, offline: true } });
  server = createServer({ accel, endpoints: [], apiKey, adminKey, port: 0, logger: quietLogger() });
  url = (await server.listen()).url;
});

afterAll(async () => {
  await server.close();
  await accel.dispose();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const addEndpoint = (body: unknown, headers: Record<string, string>, query = '') =>
  fetch(`${url}/v1/accel/endpoints${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const removeEndpoint = (id: string, headers: Record<string, string>) => fetch(`${url}/v1/accel/endpoints/${encodeURIComponent(id)}`, { method: 'DELETE', headers });
const infer = (name: string, input: unknown) =>
  fetch(`${url}/v1/accel/infer/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(apiKey) }, body: JSON.stringify({ input }) });

async function errorOf(response: Response, status: number): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  expect(response.status).toBe(status);
  return ((await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
}

describe('POST /v1/accel/endpoints and DELETE /v1/accel/endpoints/{id}', () => {
  it('need the admin key: none, a wrong one or the API key get 401', async () => {
    const entry = { name: 'nope', skill: 'sentence-embeddings', model: modelId };
    for (const headers of [{}, bearer('wrong'), bearer(apiKey)]) {
      const error = await errorOf(await addEndpoint(entry, headers), 401);
      expect(error.code).toBe('invalid_api_key');
      expect((await errorOf(await removeEndpoint('nope', headers), 401)).code).toBe('invalid_api_key');
    }
    expect(accel.status().map((endpoint) => endpoint.id)).not.toContain('nope');
  });

  it('adds an endpoint that then serves the same vectors as in-process, refuses its name twice, and removes it', async () => {
    const added = await addEndpoint({ name: 'minilm', skill: 'sentence-embeddings', model: modelId, maxBatchSize: 8 }, bearer(adminKey), '?wait=true');
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({ id: 'minilm', state: 'ready' });
    expect(accel.status('minilm')[0]).toMatchObject({ state: 'ready', skill: 'sentence-embeddings', model: modelId });

    const response = await infer('minilm', ['a cat']);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { output: { embeddings: number[][] } };
    const local = await accel.infer(sentenceEmbeddingsSkill, ['a cat'], { endpoint: 'minilm' });
    expect(body.output.embeddings[0]).toHaveLength(local.output.dimensions);
    body.output.embeddings[0]!.forEach((value, column) => expect(Math.abs(value - local.output.embeddings[0]![column]!)).toBeLessThanOrEqual(1e-6));
    const models = (await (await fetch(`${url}/v1/models`, { headers: bearer(apiKey) })).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((model) => model.id)).toEqual(['minilm']);

    const again = await errorOf(await addEndpoint({ name: 'minilm', skill: 'sentence-embeddings', model: modelId }, bearer(adminKey)), 409);
    expect(again).toMatchObject({ code: 'endpoint_exists', param: 'name' });

    const removed = await removeEndpoint('minilm', bearer(adminKey));
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ id: 'minilm', deleted: true });
    expect(accel.status().map((endpoint) => endpoint.id)).not.toContain('minilm');
    expect((await errorOf(await infer('minilm', ['a cat']), 404)).code).toBe('model_not_found');
    expect((await errorOf(await removeEndpoint('minilm', bearer(adminKey)), 404)).code).toBe('model_not_found');
  });

  it('without ?wait answers at once; the endpoint loads in the background', async () => {
    const added = await addEndpoint({ name: 'background', skill: 'sentence-embeddings', model: modelId, lazy: true }, bearer(adminKey));
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({ id: 'background', state: 'added' });
    expect((await infer('background', 'hello')).status).toBe(200);
    expect(accel.status('background')[0]?.state).toBe('ready');
    expect((await removeEndpoint('background', bearer(adminKey))).status).toBe(200);
  });

  it('refuses a bad entry with 400 naming the field, before touching the registry', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ name: 'x', model: modelId }, 'skill', /skill: /],
      [{ name: 'x', skill: 'sentence-embeddings', maxBatchSize: 0 }, 'maxBatchSize', /maxBatchSize: .*>0/],
      [{ name: 'x', skill: 'sentence-embeddings', dtype: 'fp64' }, 'dtype', /dtype: /],
      [{ name: 'x', skill: 'sentence-embeddings', batchSize: 4 }, '', /batchSize/],
      [{ name: 'x', skill: 'whisper' }, 'skill', /skill whisper is not registered/],
      [{ name: 'x', skill: 'sentence-embeddings', backend: 'cuda:0' }, 'backend', /no backend named cuda is registered/],
      [{ name: 'x', skill: 'sentence-embeddings', maxBatchSize: 100_000 }, '', /maxBatchSize must be an integer from 1 to/],
    ];
    for (const [entry, param, message] of cases) {
      const error = await errorOf(await addEndpoint(entry, bearer(adminKey)), 400);
      expect(error.code).toBe('ACCEL_INVALID_INPUT');
      expect(error.param).toBe(param === '' ? null : param);
      expect(error.message).toMatch(message);
    }
    const notJson = await fetch(`${url}/v1/accel/endpoints`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(adminKey) }, body: '{' });
    expect((await errorOf(notJson, 400)).code).toBe('invalid_json');
    expect(accel.status().map((endpoint) => endpoint.id)).not.toContain('x');
  });

  it('with ?wait, a load failure is the reply and the endpoint is taken out again', async () => {
    const folder = `${modelRoot}/no-such-model-folder`;
    const error = await errorOf(await addEndpoint({ name: 'broken', skill: 'sentence-embeddings', model: folder }, bearer(adminKey), '?wait=true'), 500);
    expect(error.code).toBe('ACCEL_MODEL_NOT_FOUND');
    expect(accel.status().map((endpoint) => endpoint.id)).not.toContain('broken');
  });

  it('are in /openapi.json with the admin security scheme, and the document is valid OpenAPI 3.1', async () => {
    const document = (await (await fetch(`${url}/openapi.json`, { headers: bearer(apiKey) })).json()) as {
      paths: Record<string, Record<string, { security?: unknown; requestBody?: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document.components.securitySchemes).toHaveProperty('adminBearer');
    expect(document.paths['/v1/accel/endpoints']?.post?.security).toEqual([{ adminBearer: [] }]);
    expect(Object.keys(document.paths['/v1/accel/endpoints']!.post!.requestBody!.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['name', 'skill', 'model', 'backend', 'lazy', 'maxBatchSize', 'batchWaitMs', 'replicas']),
    );
    expect(document.paths['/v1/accel/endpoints/{id}']?.delete?.security).toEqual([{ adminBearer: [] }]);
  });
});

describe('without an admin key', () => {
  it('the admin routes do not exist (404) and are not in /openapi.json', async () => {
    const plain = createServer({ accel, endpoints: [], port: 0, logger: quietLogger() });
    const response = await plain.fetch(new Request('http://local/v1/accel/endpoints', { method: 'POST', body: JSON.stringify({ skill: 'sentence-embeddings' }) }));
    expect((await errorOf(response, 404)).code).toBe('not_found');
    const document = (await (await plain.fetch(new Request('http://local/openapi.json'))).json()) as { paths: Record<string, unknown> };
    expect(document.paths).not.toHaveProperty('/v1/accel/endpoints');
    await plain.close();
  });
});

describe('parseServerConfig', () => {
  it('fills the defaults of a minimal config and keeps every endpoint option', () => {
    const config = parseServerConfig(JSON.stringify({ endpoints: [{ name: 'minilm', skill: 'sentence-embeddings', model: modelId, replicas: 2, batchWaitMs: 5, fallback: ['wasm'] }] }));
    expect(config).toEqual({
      endpoints: [{ name: 'minilm', skill: 'sentence-embeddings', model: modelId, replicas: 2, batchWaitMs: 5, fallback: ['wasm'] }],
      server: {},
      models: {},
    });
  });

  it('names the path of every bad value, and refuses unknown keys and duplicate names', () => {
    const bad = {
      endpoints: [{ name: 'a', skill: 'sentence-embeddings' }, { name: 'a', skill: 3 }],
      server: { port: 70000, cors: { origin: [] } },
      modelz: {},
    };
    expect(() => parseServerConfig(bad)).toThrow(/endpoints\[1\]\.skill: .*; server\.port: .*; server\.cors\.origin: .*; and 1 more/);
    expect(() => parseServerConfig({ modelz: {} })).toThrow(/Unrecognized key: "modelz"/);
    expect(() => parseServerConfig({ endpoints: [{ name: 'a', skill: 's' }, { name: 'a', skill: 's' }] })).toThrow(/endpoints\[1\]\.name: duplicate name a \(also endpoints\[0\]\.name\)/);
    expect(() => parseServerConfig('{ "endpoints": [')).toThrow(/the config is not valid JSON/);
    try {
      parseServerConfig({ server: { host: '' } });
      expect.unreachable();
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ACCEL_INVALID_INPUT');
    }
  });
});
