import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, type Provenance } from '@accel/core';
import { forgeModel, whisperFiles, writeFileAtomically } from '@accel/model-forge';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { textClassificationSkill } from '@accel/skill-text-classification';
import { whisperSkill } from '@accel/skill-whisper';
import { createAudioFixtures } from '@accel/testkit';
import OpenAI, { BadRequestError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger, tinyMiniLm } from './helpers.js';

/**
 * `x-accel-provenance: full` on the OpenAI-shaped routes: the body gains accel's whole provenance
 * (what POST /v1/accel/infer/{endpoint} returns for the same input); without the header the body is
 * byte for byte what it was.
 */

const { writeWav, voiced } = createAudioFixtures();
const full = { 'x-accel-provenance': 'full' };
const whisperFolder = mkdtempSync(join(tmpdir(), 'accel-provenance-whisper-'));

let accel: Accel;
let server: AccelServer;
let url: string;
let wav: Buffer;

beforeAll(async () => {
  const dimensions = { modelSize: 32, heads: 2, encoderLayers: 2, decoderLayers: 2, feedForwardSize: 64, maxTargetPositions: 40 };
  for (const forged of whisperFiles({ id: 'Xenova/whisper-tiny', dimensions, quantized: false })) await writeFileAtomically(join(whisperFolder, forged.path), forged.content);
  const [minilm, sst2] = await Promise.all([tinyMiniLm(), forgeModel('Xenova/distilbert-base-uncased-finetuned-sst-2-english', { root: modelRoot }).then((forged) => forged.directory)]);
  wav = readFileSync(writeWav('provenance.wav', voiced(1.5, 16_000), 16_000));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })] });
  server = createServer({
    accel,
    endpoints: [
      { name: 'minilm', skill: sentenceEmbeddingsSkill, model: minilm },
      { name: 'sst2', skill: textClassificationSkill, model: sst2 },
      { name: 'whisper', skill: whisperSkill, model: whisperFolder, isolation: 'inline' },
    ],
    port: 0,
    cors: { origin: 'http://app.test' },
    logger: quietLogger(),
  });
  url = (await server.listen()).url;
  await server.loaded;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await accel?.dispose();
  rmSync(whisperFolder, { recursive: true, force: true });
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** What does not change from one run to the next: everything but timings, the content id and the trail. */
function stable(provenance: Provenance): Partial<Provenance> {
  const { endpoint, skill, task, backend, device, dtype, isolation, runtime, threads, model, batchSizes, usage } = provenance;
  return { endpoint, skill, task, backend, device, dtype, isolation, runtime, threads, model, batchSizes, usage };
}

/** The provenance the native route gives for the same input. */
async function nativeProvenance(endpoint: string, input: unknown): Promise<Provenance> {
  const response = await post(`/v1/accel/infer/${endpoint}`, { input });
  expect(response.status).toBe(200);
  return ((await response.json()) as { provenance: Provenance }).provenance;
}

/** The body as it is without the field: the same keys in the same order, so the same bytes as a request without the header. */
function withoutProvenance(body: Record<string, unknown>): Record<string, unknown> {
  const { provenance: _provenance, ...rest } = body;
  return rest;
}

function expectWhole(provenance: Provenance, native: Provenance): void {
  expect(stable(provenance)).toEqual(stable(native));
  expect(provenance.model.files.length).toBeGreaterThan(0);
  expect(provenance.dtype).toBeTruthy();
  expect(provenance.timings.inferenceMs).toBeGreaterThan(0);
  expect(provenance.timings.totalMs).toBeGreaterThanOrEqual(provenance.timings.inferenceMs);
}

describe('x-accel-provenance: full over plain fetch', () => {
  it('POST /v1/embeddings adds the native route’s provenance; without the header the bytes are unchanged', async () => {
    const request = { model: 'minilm', input: ['a cat', 'a dog'], encoding_format: 'float' };
    const plain = await post('/v1/embeddings', request);
    const plainText = await plain.text();
    expect(JSON.parse(plainText)).not.toHaveProperty('provenance');
    const withHeader = await post('/v1/embeddings', request, full);
    expect(withHeader.status).toBe(200);
    const body = (await withHeader.json()) as Record<string, unknown> & { provenance: Provenance };
    expect(Object.keys(body)).toEqual(['object', 'data', 'model', 'usage', 'provenance']);
    expect(JSON.stringify(withoutProvenance(body))).toBe(plainText);
    const native = await nativeProvenance('minilm', ['a cat', 'a dog']);
    expectWhole(body.provenance, native);
    expect(body.provenance).toMatchObject({ endpoint: 'minilm', backend: 'cpu', device: 'cpu', skill: 'sentence-embeddings' });
    // The headers still come, and agree with the body.
    expect(withHeader.headers.get('x-accel-endpoint')).toBe(body.provenance.endpoint);
    expect(withHeader.headers.get('x-accel-inference-ms')).toBe(body.provenance.timings.inferenceMs.toFixed(3));
    const local = await accel.infer(sentenceEmbeddingsSkill, ['a cat', 'a dog'], { endpoint: 'minilm' });
    expect(body.provenance.model.files).toEqual(local.provenance.model.files);
    expect(body.provenance.dtype).toBe(local.provenance.dtype);
  });

  it('POST /v1/classify adds the native route’s provenance; without the header the body keeps its keys', async () => {
    const request = { model: 'sst2', input: ['a fine film', 'a dull film'] };
    const plain = (await (await post('/v1/classify', request)).json()) as Record<string, unknown>;
    expect(plain).not.toHaveProperty('provenance');
    const response = await post('/v1/classify', request, full);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown> & { provenance: Provenance };
    expect(Object.keys(body)).toEqual([...Object.keys(plain), 'provenance']);
    expect(body.data).toEqual(plain.data);
    expectWhole(body.provenance, await nativeProvenance('sst2', ['a fine film', 'a dull film']));
    expect(body.provenance).toMatchObject({ endpoint: 'sst2', skill: 'text-classification' });
  });

  it('POST /v1/audio/transcriptions adds it to json and verbose_json, and refuses it for text, srt and vtt', async () => {
    const upload = (format: string, headers: Record<string, string> = {}) => {
      const form = new FormData();
      form.append('file', new Blob([wav], { type: 'audio/wav' }), 'a.wav');
      form.append('model', 'whisper');
      form.append('response_format', format);
      return fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', headers, body: form });
    };
    const local = await accel.infer(whisperSkill, new Uint8Array(wav), { endpoint: 'whisper' });
    const plainText = await (await upload('json')).text();
    expect(JSON.parse(plainText)).not.toHaveProperty('provenance');
    const json = (await (await upload('json', full)).json()) as Record<string, unknown> & { provenance: Provenance };
    expect(JSON.stringify(withoutProvenance(json))).toBe(plainText);
    expect(json.text).toBe(local.output.transcripts[0]!.text);
    expectWhole(json.provenance, local.provenance);

    const verbosePlain = await (await upload('verbose_json')).text();
    const verbose = (await (await upload('verbose_json', full)).json()) as Record<string, unknown> & { provenance: Provenance };
    expect(JSON.stringify(withoutProvenance(verbose))).toBe(verbosePlain);
    expect(stable(verbose.provenance)).toMatchObject({ endpoint: 'whisper', backend: 'cpu', model: { files: local.provenance.model.files } });

    for (const format of ['text', 'srt', 'vtt']) {
      const refused = await upload(format, full);
      expect(refused.status).toBe(400);
      const { error } = (await refused.json()) as { error: { code: string; param: string; message: string } };
      expect(error).toMatchObject({ code: 'unsupported_parameter', param: 'response_format' });
      expect(error.message).toContain('x-accel-provenance');
    }
  });

  it('answers another header value with a 400 naming the header, before running anything', async () => {
    const response = await post('/v1/embeddings', { model: 'minilm', input: 'a cat' }, { 'x-accel-provenance': 'some' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', code: 'ACCEL_INVALID_INPUT', param: 'x-accel-provenance' });
  });

  it('is allowed by the CORS preflight and documented in /openapi.json', async () => {
    const preflight = await fetch(`${url}/v1/embeddings`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-accel-provenance' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect(preflight.headers.get('access-control-allow-headers')?.split(',')).toContain('x-accel-provenance');
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, { post: { parameters?: Array<{ name: string; in: string }> } }> };
    for (const path of ['/v1/embeddings', '/v1/classify', '/v1/audio/transcriptions', '/v1/audio/translations']) {
      expect(document.paths[path]!.post.parameters).toEqual([expect.objectContaining({ name: 'x-accel-provenance', in: 'header' })]);
    }
  });
});

describe('x-accel-provenance: full with the openai client', () => {
  it('the client reads the same embeddings and transcript with the header; the extra field passes through untouched', async () => {
    const plainClient = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0, defaultHeaders: full });
    const embedded = await client.embeddings.create({ model: 'minilm', input: ['a cat', 'a dog'] });
    const plain = await plainClient.embeddings.create({ model: 'minilm', input: ['a cat', 'a dog'] });
    expect(embedded.data).toEqual(plain.data);
    expect(embedded.usage).toEqual(plain.usage);
    expect(plain).not.toHaveProperty('provenance');
    const native = await nativeProvenance('minilm', ['a cat', 'a dog']);
    expectWhole((embedded as unknown as { provenance: Provenance }).provenance, native);

    const transcript = await client.audio.transcriptions.create({ file: await toFile(wav, 'a.wav', { type: 'audio/wav' }), model: 'whisper' });
    const local = await accel.infer(whisperSkill, new Uint8Array(wav), { endpoint: 'whisper' });
    expect(transcript.text).toBe(local.output.transcripts[0]!.text);
    expectWhole((transcript as unknown as { provenance: Provenance }).provenance, local.provenance);
    // The client's text format with the header: the typed 400.
    await expect(client.audio.transcriptions.create({ file: await toFile(wav, 'a.wav', { type: 'audio/wav' }), model: 'whisper', response_format: 'text' })).rejects.toBeInstanceOf(BadRequestError);
  });
});
