import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, type EndpointStatus } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { gpt2Skill } from '@accel/skill-gpt2';
import { llamaSkill } from '@accel/skill-llama';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { largestDifference } from '@accel/testkit';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer, type ServerOptions } from '../src/index.js';
import { inProcessRemote, type InProcessRemote } from './in-process-remote.js';
import { gatedCpuBackend, modelRoot, quietLogger } from './helpers.js';

const skills = [sentenceEmbeddingsSkill, gpt2Skill, llamaSkill];
const models = { cacheDirectory: modelRoot, offline: true };
let local: Accel;
let remoteAccel: Accel;
let remote: InProcessRemote;
let server: AccelServer;
let url: string;
let client: OpenAI;
const logger = quietLogger();
const cleanups: Array<() => Promise<void>> = [];

/** A second server on the same registries, with its own view of the remote (so marking an endpoint lost there leaves the main server alone). */
async function start(options: Omit<ServerOptions, 'accel'>, accel = local): Promise<{ server: AccelServer; url: string; logger: ReturnType<typeof quietLogger> }> {
  const own = quietLogger();
  const started = createServer({ accel, port: 0, logger: own, skills, ...options });
  cleanups.push(() => started.close());
  return { server: started, url: (await started.listen()).url, logger: own };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out (5 s) waiting for ${what}`);
}

const json = async <T>(response: Response) => (await response.json()) as T;
const post = (base: string, path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  const forged = async (id: string) => (await forgeModel(id, { root: modelRoot })).directory;
  const [minilm, gpt2, smollm] = await Promise.all(['Xenova/all-MiniLM-L6-v2', 'Xenova/gpt2', 'HuggingFaceTB/SmolLM2-135M-Instruct'].map(forged));
  // The "remote": a separate registry, as a cluster worker's would be.
  remoteAccel = new Accel({ backends: [createCpuBackend({ threads: 1 })] });
  remoteAccel.addEndpoint({ id: 'remote-minilm', skill: sentenceEmbeddingsSkill, model: minilm! });
  remoteAccel.addEndpoint({ id: 'gpt2', skill: gpt2Skill, model: gpt2! });
  remoteAccel.addEndpoint({ id: 'smollm', skill: llamaSkill, model: smollm! });
  remoteAccel.addEndpoint({ id: 'shared', skill: sentenceEmbeddingsSkill, model: minilm! });
  local = new Accel({ backends: [createCpuBackend({ threads: 1 })] });
  remote = inProcessRemote(remoteAccel);
  server = createServer({ accel: local, remote, skills, port: 0, logger, endpoints: [{ name: 'shared', skill: sentenceEmbeddingsSkill, model: minilm! }] });
  url = (await server.listen()).url;
  await Promise.all([server.loaded, ...remoteAccel.status().map((endpoint) => remoteAccel.init(endpoint.id))]);
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
}, 120_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await server?.close();
  await Promise.all([local?.dispose(), remoteAccel?.dispose()]);
});

describe('a remote endpoint', () => {
  it('answers /v1/embeddings with the remote registry’s own vectors, and names the worker in x-accel-worker', async () => {
    const input = ['a cat sat on the mat', 'a dog'];
    const inProcess = await remoteAccel.infer(sentenceEmbeddingsSkill, input, { endpoint: 'remote-minilm' });
    const calls = remote.calls.length;
    const { data, response } = await client.embeddings.create({ model: 'remote-minilm', input }).withResponse();
    expect(data.data).toHaveLength(2);
    for (const [index, vector] of inProcess.output.embeddings.entries()) expect(largestDifference(data.data[index]!.embedding, vector)).toBeLessThan(1e-6);
    expect(response.headers.get('x-accel-worker')).toBe(remote.worker.id);
    expect(response.headers.get('x-accel-endpoint')).toBe('remote-minilm');
    expect(response.headers.get('x-accel-device')).toBe(inProcess.provenance.device);
    expect(remote.calls.slice(calls).map((call) => call.endpoint)).toEqual(['remote-minilm']);
  });

  it('answers the native route with the output, the provenance’s worker and the header', async () => {
    const inProcess = await remoteAccel.infer(sentenceEmbeddingsSkill, 'one sentence', { endpoint: 'remote-minilm' });
    const response = await post(url, '/v1/accel/infer/remote-minilm', { input: 'one sentence' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-accel-worker')).toBe(remote.worker.id);
    const body = await json<{ output: { embeddings: number[][] }; provenance: { endpoint: string; worker: unknown } }>(response);
    expect(largestDifference(body.output.embeddings[0]!, inProcess.output.embeddings[0]!)).toBeLessThan(1e-6);
    expect(body.provenance).toMatchObject({ endpoint: 'remote-minilm', worker: remote.worker });
  });

  it('streams a chat through the remote: the pieces add up to the in-process text, the finish chunk names the worker', async () => {
    const chat = [{ role: 'user' as const, content: 'Tell me about the sea.' }];
    const inProcess = await remoteAccel.infer(llamaSkill, chat, { maxNewTokens: 12, endpoint: 'smollm' });
    const { data: stream, response } = await client.chat.completions.create({ model: 'smollm', messages: chat, max_tokens: 12, stream: true }).withResponse();
    expect(response.headers.get('x-accel-endpoint')).toBe('smollm');
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const pieces = chunks.slice(1, -1).map((chunk) => chunk.choices[0]!.delta.content);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(inProcess.output.text);
    const finish = chunks.at(-1) as unknown as { provenance: { endpoint: string; worker: unknown; usage: unknown } };
    expect(finish.provenance).toMatchObject({ endpoint: 'smollm', worker: remote.worker, usage: inProcess.provenance.usage });
    expect(remote.calls.at(-1)).toMatchObject({ endpoint: 'smollm', stream: true });
    expect(await remote.calls.at(-1)!.settled).toBe('ok');
  });

  it('aborts the remote call’s signal, and so its generation, when the client leaves a stream', async () => {
    const calls = remote.calls.length;
    const stream = await client.completions.create({ model: 'gpt2', prompt: 'The history of science', max_tokens: 200, temperature: 1, seed: 1, stream: true });
    for await (const _chunk of stream) break; // leaving the loop aborts the request
    await until(() => remote.calls.length > calls, 'the remote call');
    const call = remote.calls[calls]!;
    expect(call).toMatchObject({ endpoint: 'gpt2', stream: true });
    await until(() => call.signal?.aborted === true, 'the remote signal to abort');
    expect(await call.settled).toBe('ACCEL_ABORTED');
    await until(async () => /^accel_request_failures_total\{endpoint="gpt2",code="ACCEL_ABORTED"\} 1$/m.test(await (await fetch(`${url}/metrics`)).text()), 'the aborted request in the metrics');
    // The remote endpoint serves the next request at once.
    const next = await client.completions.create({ model: 'gpt2', prompt: 'Once upon a time', max_tokens: 4 });
    expect(next.choices[0]!.text).toBe((await remoteAccel.infer(gpt2Skill, 'Once upon a time', { maxNewTokens: 4, endpoint: 'gpt2' })).output.text);
  });

  it('is served locally when the registry has an endpoint of the same name, with one warning', async () => {
    const calls = remote.calls.length;
    for (let round = 0; round < 3; round += 1) {
      const { response } = await client.embeddings.create({ model: 'shared', input: 'local wins' }).withResponse();
      expect(response.headers.get('x-accel-endpoint')).toBe('shared');
      expect(response.headers.get('x-accel-worker')).toBeNull();
    }
    expect(remote.calls.slice(calls)).toEqual([]);
    expect(local.status('shared')[0]!.served).toBeGreaterThanOrEqual(3);
    expect(remoteAccel.status('shared')[0]!.served).toBe(0);
    expect(logger.warnings.filter((warning) => warning.includes('shared'))).toHaveLength(1);
  });
});

describe('status routes with remote endpoints', () => {
  it('/ready is 200 while every remote endpoint has a worker, and lists them as remote', async () => {
    const response = await fetch(`${url}/ready`);
    expect(response.status).toBe(200);
    const body = await json<{ ready: boolean; endpoints: Array<{ id: string; state: string; remote?: boolean }> }>(response);
    expect(body.endpoints.map(({ id, state, remote: isRemote }) => ({ id, state, remote: isRemote === true }))).toEqual([
      { id: 'shared', state: 'ready', remote: false },
      { id: 'remote-minilm', state: 'ready', remote: true },
      { id: 'gpt2', state: 'ready', remote: true },
      { id: 'smollm', state: 'ready', remote: true },
    ]);
  });

  it('/v1/accel/status shows the cluster as the remote describes it, and each remote endpoint marked remote', async () => {
    const body = await json<{ endpoints: Array<EndpointStatus & { remote?: boolean }>; cluster: unknown }>(await fetch(`${url}/v1/accel/status`));
    expect(body.cluster).toEqual(JSON.parse(JSON.stringify(remote.describe())));
    expect(body.endpoints.map((endpoint) => [endpoint.id, endpoint.remote === true])).toEqual([
      ['shared', false],
      ['remote-minilm', true],
      ['gpt2', true],
      ['smollm', true],
    ]);
    expect(body.endpoints.find((endpoint) => endpoint.id === 'gpt2')).toMatchObject({ skill: 'gpt2', state: 'ready', model: remoteAccel.status('gpt2')[0]!.model });
  });

  it('/openapi.json and the metrics’ gauges include the remote endpoints', async () => {
    const document = await json<{ paths: Record<string, { post?: { description?: string } }> }>(await fetch(`${url}/openapi.json`));
    expect(document.paths['/v1/accel/infer/remote-minilm']?.post?.description).toBe(sentenceEmbeddingsSkill.description);
    expect(document.paths['/v1/accel/infer/gpt2']?.post?.description).toBe(gpt2Skill.description);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^accel_endpoint_ready\{endpoint="remote-minilm",device="cpu"\} 1$/m);
    expect(metrics).toMatch(/^accel_queue_depth\{endpoint="smollm"\} 0$/m);
  });

  it('lists only remote endpoints a worker serves: one that lost its workers is 503 on /ready, left out of /v1/models, and its requests get 503 with the reason', async () => {
    const view = inProcessRemote(remoteAccel, 'worker-b');
    const { url: base } = await start({ remote: view });
    const names = async () => (await json<{ data: Array<{ id: string; owned_by: string }> }>(await fetch(`${base}/v1/models`))).data.map((model) => `${model.id}:${model.owned_by}`);
    expect(await names()).toEqual(['shared:accel', 'remote-minilm:accel-cluster', 'gpt2:accel-cluster', 'smollm:accel-cluster']);
    view.loseWorkers('remote-minilm');
    const reason = view.endpoints().find((endpoint) => endpoint.id === 'remote-minilm')!.error!.message;
    expect(reason).toMatch(/^no live worker serves endpoint remote-minilm; last seen .+ on worker worker-b$/);

    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    const readyBody = await json<{ ready: boolean; endpoints: Array<{ id: string; state: string; error?: unknown }> }>(ready);
    expect(readyBody.ready).toBe(false);
    expect(readyBody.endpoints.find((endpoint) => endpoint.id === 'remote-minilm')).toEqual({
      id: 'remote-minilm',
      state: 'failed',
      device: 'cpu',
      remote: true,
      error: { code: 'ACCEL_BACKEND_UNAVAILABLE', message: reason },
    });

    expect(await names()).toEqual(['shared:accel', 'gpt2:accel-cluster', 'smollm:accel-cluster']);
    const model = await fetch(`${base}/v1/models/remote-minilm`);
    expect(model.status).toBe(404);
    expect((await json<{ error: { message: string } }>(model)).error.message).toContain(reason);
    expect((await fetch(`${base}/v1/models/gpt2`)).status).toBe(200);

    const refused = await post(base, '/v1/embeddings', { model: 'remote-minilm', input: 'anyone there?' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await json<{ error: unknown }>(refused)).error).toEqual({ message: reason, type: 'server_error', param: null, code: 'ACCEL_BACKEND_UNAVAILABLE' });
    const stream = await post(base, '/v1/completions', { model: 'gpt2', prompt: 'still here', max_tokens: 2, stream: true });
    expect(stream.status).toBe(200);
    await stream.text();
    expect(view.calls.map((call) => call.endpoint)).toEqual(['gpt2']);
  });

  it('answers 429 with retry-after when the remote endpoint’s queue is full', async () => {
    const { backend, open } = gatedCpuBackend();
    const busy = new Accel({ backends: [backend], models });
    cleanups.push(() => busy.dispose());
    busy.addEndpoint({ id: 'busy', skill: sentenceEmbeddingsSkill, model: 'Xenova/all-MiniLM-L6-v2', maxQueueSize: 1, maxBatchSize: 1, deduplicate: false });
    const empty = new Accel({ backends: [createCpuBackend({ threads: 1 })] });
    cleanups.push(() => empty.dispose());
    const { url: base } = await start({ remote: inProcessRemote(busy) }, empty);
    // All three wait for the remote load (held by the gate), then reach its queue of one in the same turn.
    const responses = ['one', 'two', 'three'].map((input) => post(base, '/v1/embeddings', { model: 'busy', input }));
    await until(() => busy.status('busy')[0]!.state === 'loading', 'the remote endpoint to start loading');
    expect((await fetch(`${base}/ready`)).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    open();
    const settled = await Promise.all(responses);
    expect(settled.map((response) => response.status).sort()).toEqual([200, 429, 429]);
    for (const response of settled.filter((candidate) => candidate.status === 429)) {
      expect(response.headers.get('retry-after')).toBe('1');
      expect((await json<{ error: unknown }>(response)).error).toMatchObject({ code: 'ACCEL_QUEUE_FULL', type: 'rate_limit_error' });
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^accel_queue_rejections_total\{endpoint="busy"\} 2$/m);
  });

  it('answers 500 naming the skill package to install when the gateway does not know a remote endpoint’s skill', async () => {
    const { url: base, logger: own } = await start({ remote: inProcessRemote(remoteAccel), skills: [sentenceEmbeddingsSkill] });
    const response = await post(base, '/v1/completions', { model: 'gpt2', prompt: 'hi' });
    expect(response.status).toBe(500);
    expect((await json<{ error: { message: string } }>(response)).error.message).toContain('install @accel/skill-gpt2 on the gateway');
    expect(own.errors).toHaveLength(1);
  });

  it('refuses to remove a remote endpoint through the admin routes: it is served by the cluster', async () => {
    const { url: base } = await start({ remote: inProcessRemote(remoteAccel), adminKey: 'admin' });
    const response = await fetch(`${base}/v1/accel/endpoints/gpt2`, { method: 'DELETE', headers: { authorization: 'Bearer admin' } });
    expect(response.status).toBe(404);
    expect((await json<{ error: { message: string } }>(response)).error.message).toMatch(/served by remote workers \(the cluster\)/);
    expect(remoteAccel.status('gpt2')[0]!.state).toBe('ready');
  });
});
