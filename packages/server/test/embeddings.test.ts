import { readFileSync } from 'node:fs';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { clapSkill, type ClapOutput } from '@accel/skill-clap';
import { clipSkill, type ClipOutput } from '@accel/skill-clip';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { textClassificationSkill } from '@accel/skill-text-classification';
import { xclipSkill, type XclipOutput } from '@accel/skill-xclip';
import { createAudioFixtures } from '@accel/testkit';
import { Validator } from '@seriousme/openapi-schema-validator';
import OpenAI, { APIError, BadRequestError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger, tinyMiniLm } from './helpers.js';
import { dataUri, patternPng } from './media-fixtures.js';

const { writeWav, voiced } = createAudioFixtures();
const minilmId = 'Xenova/all-MiniLM-L6-v2';
// Small limits, so the 413 cases need small bodies: text bodies up to 2,000 bytes, media bodies up to 200,000, 4 inputs.
const limits = { jsonBodyBytes: 2_000, mediaBodyBytes: 200_000, maxInputs: 4 };

let accel: Accel;
let server: AccelServer;
let url: string;
let client: OpenAI;
let pngs: Buffer[];
let wavs: Buffer[];
/** Two videos, each 8 encoded frames. */
let videos: Buffer[][];

beforeAll(async () => {
  await tinyMiniLm();
  const clip = await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot });
  const sst2 = await forgeModel('Xenova/distilbert-base-uncased-finetuned-sst-2-english', { root: modelRoot });
  const clap = await forgeModel('Xenova/clap-htsat-unfused', { root: modelRoot });
  const xclip = await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot });
  pngs = await Promise.all([patternPng(0), patternPng(2)]);
  wavs = [readFileSync(writeWav('low.wav', voiced(0.5, 48_000, 120), 48_000)), readFileSync(writeWav('high.wav', voiced(0.5, 48_000, 330), 48_000))];
  videos = await Promise.all([1, 3].map((seed) => Promise.all(Array.from({ length: 8 }, (_, time) => patternPng(seed * 10 + time, 32, 24)))));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models: { cacheDirectory: modelRoot, offline: true } });
  server = createServer({
    accel,
    endpoints: [
      { name: 'minilm', skill: sentenceEmbeddingsSkill, model: minilmId },
      { name: 'clip', skill: clipSkill, model: clip.directory },
      { name: 'sst2', skill: textClassificationSkill, model: sst2.directory },
      { name: 'clap', skill: clapSkill, model: clap.directory },
      { name: 'xclip', skill: xclipSkill, model: xclip.directory },
    ],
    port: 0,
    limits,
    logger: quietLogger(),
  });
  url = (await server.listen()).url;
  await server.loaded;
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
  await accel.dispose();
});

const post = (body: unknown) => fetch(`${url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index += 1) expect(Math.abs(actual[index]! - expected[index]!)).toBeLessThanOrEqual(tolerance);
}

function clipEmbeddings(output: ClipOutput): Float32Array[] {
  if (output.task !== 'image-embedding' && output.task !== 'text-embedding') throw new Error(`expected embeddings, got ${output.task}`);
  return output.embeddings;
}

async function rejection(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe('POST /v1/embeddings with the openai client', () => {
  const texts = ['a cat sat on the mat', 'the dog barked at the mailman'];

  it('base64 (the client’s default) and float both equal the in-process vectors, with usage and provenance headers', async () => {
    const local = await accel.infer(sentenceEmbeddingsSkill, texts, { endpoint: 'minilm' });
    const { data: base64, response } = await client.embeddings.create({ model: 'minilm', input: texts }).withResponse();
    const float = await client.embeddings.create({ model: 'minilm', input: texts, encoding_format: 'float' });
    for (const result of [base64, float]) {
      expect(result.object).toBe('list');
      expect(result.model).toBe('minilm');
      expect(result.data.map((entry) => entry.index)).toEqual([0, 1]);
      result.data.forEach((entry, row) => {
        expect(entry.object).toBe('embedding');
        expectClose(entry.embedding, local.output.embeddings[row]!);
      });
      // usage.prompt_tokens is the provenance's count of the tokens the texts used (special tokens included).
      expect(local.provenance.usage!.inputTokens).toBeGreaterThan(texts.length * 2);
      expect(result.usage).toEqual({ prompt_tokens: local.provenance.usage!.inputTokens, total_tokens: local.provenance.usage!.inputTokens });
    }
    expect(response.headers.get('x-accel-endpoint')).toBe('minilm');
    expect(response.headers.get('x-accel-backend')).toBe('cpu');
    expect(response.headers.get('x-accel-device')).toBe('cpu');
    expect(Number(response.headers.get('x-accel-inference-ms'))).toBeGreaterThan(0);
  });

  it('answers base64 as a string of little-endian float32 values and float as numbers (seen without the client)', async () => {
    const local = (await accel.infer(sentenceEmbeddingsSkill, 'hello there', { endpoint: 'minilm' })).output.embeddings[0]!;
    const asBase64 = (await (await post({ model: 'minilm', input: 'hello there', encoding_format: 'base64' })).json()) as { data: Array<{ embedding: string }> };
    const bytes = Buffer.from(asBase64.data[0]!.embedding, 'base64');
    expect(bytes.byteLength).toBe(local.length * 4);
    expectClose(Array.from({ length: local.length }, (_, index) => bytes.readFloatLE(index * 4)), local, 0);
    const asFloat = (await (await post({ model: 'minilm', input: 'hello there' })).json()) as { data: Array<{ embedding: number[] }> };
    expect(Array.isArray(asFloat.data[0]!.embedding)).toBe(true);
    expectClose(asFloat.data[0]!.embedding, local, 0);
  });

  it('counts the prompt tokens it answered in /metrics (accel_prompt_tokens_total)', async () => {
    const promptTokens = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/^accel_prompt_tokens_total\{endpoint="minilm"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await promptTokens();
    const result = await client.embeddings.create({ model: 'minilm', input: ['count these tokens', 'and these'] });
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    expect((await promptTokens()) - before).toBe(result.usage.prompt_tokens);
  });

  it('serves a model by its model id too, and one string as one input', async () => {
    const result = await client.embeddings.create({ model: minilmId, input: 'just one' });
    expect(result.data).toHaveLength(1);
    expectClose(result.data[0]!.embedding, (await accel.infer(sentenceEmbeddingsSkill, 'just one', { endpoint: 'minilm' })).output.embeddings[0]!);
  });

  it('dimensions keeps the first n values scaled to unit length; 0 and more than the model has are 400', async () => {
    const local = (await accel.infer(sentenceEmbeddingsSkill, texts, { endpoint: 'minilm' })).output.embeddings;
    const result = await client.embeddings.create({ model: 'minilm', input: texts, dimensions: 8 });
    result.data.forEach((entry, row) => {
      const prefix = Array.from(local[row]!.slice(0, 8));
      const norm = Math.hypot(...prefix);
      expect(entry.embedding).toHaveLength(8);
      expectClose(entry.embedding, prefix.map((value) => value / norm));
      expect(Math.abs(Math.hypot(...entry.embedding) - 1)).toBeLessThan(1e-5);
    });
    const size = local[0]!.length;
    expect((await client.embeddings.create({ model: 'minilm', input: 'x', dimensions: size, encoding_format: 'float' })).data[0]!.embedding).toHaveLength(size);
    for (const dimensions of [0, size + 1]) {
      const error = await rejection(client.embeddings.create({ model: 'minilm', input: 'x', dimensions }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.param).toBe('dimensions');
    }
  });

  it('embeds an image sent as a data URI on CLIP (modality image) and texts on the same model, equal to in-process', async () => {
    const local = clipEmbeddings((await accel.infer(clipSkill, { images: pngs }, { endpoint: 'clip' })).output);
    const images = await client.embeddings.create({ model: 'clip', input: pngs.map((png) => dataUri(png)), modality: 'image' } as OpenAI.EmbeddingCreateParams);
    images.data.forEach((entry, row) => expectClose(entry.embedding, local[row]!));
    // The two images differ, so equal vectors would mean the images were not both read.
    expect(Math.abs(images.data[0]!.embedding[0]! - images.data[1]!.embedding[0]!)).toBeGreaterThan(0);
    const localTexts = clipEmbeddings((await accel.infer(clipSkill, { texts }, { endpoint: 'clip' })).output);
    const textResult = await client.embeddings.create({ model: 'clip', input: texts });
    textResult.data.forEach((entry, row) => expectClose(entry.embedding, localTexts[row]!));
    // CLIP counts no tokens: usage is 0, not made up.
    expect(images.usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });
  });
});

describe('POST /v1/embeddings with audio and video', () => {
  it('embeds audio files sent as data URIs on CLAP (modality audio), equal to in-process', async () => {
    const local = (await accel.infer(clapSkill, { audio: wavs }, { endpoint: 'clap' })).output as ClapOutput;
    if (local.task !== 'embed-audio') throw new Error(`expected audio embeddings, got ${local.task}`);
    const result = await client.embeddings.create({ model: 'clap', input: wavs.map((wav) => dataUri(wav, 'audio/wav')), modality: 'audio' } as OpenAI.EmbeddingCreateParams);
    expect(result.data).toHaveLength(2);
    result.data.forEach((entry, row) => expectClose(entry.embedding, local.audioEmbeddings[row]!));
    expect(Math.abs(result.data[0]!.embedding[0]! - result.data[1]!.embedding[0]!)).toBeGreaterThan(0);
  });

  it('embeds videos sent as arrays of frame data URIs on X-CLIP (modality video): several as an array of arrays, one as an array, equal to in-process', async () => {
    const local = (await accel.infer(xclipSkill, { videos }, { endpoint: 'xclip' })).output as XclipOutput;
    if (local.task !== 'video-embedding') throw new Error(`expected video embeddings, got ${local.task}`);
    const frames = videos.map((video) => video.map((frame) => dataUri(frame)));
    const several = await client.embeddings.create({ model: 'xclip', input: frames, modality: 'video' } as unknown as OpenAI.EmbeddingCreateParams);
    expect(several.data).toHaveLength(2);
    several.data.forEach((entry, row) => expectClose(entry.embedding, local.embeddings[row]!));
    const one = await client.embeddings.create({ model: 'xclip', input: frames[1]!, modality: 'video' } as OpenAI.EmbeddingCreateParams);
    expect(one.data).toHaveLength(1);
    expectClose(one.data[0]!.embedding, local.embeddings[1]!);
    const notFrames = await rejection(client.embeddings.create({ model: 'xclip', input: frames[0]![0]!, modality: 'video' } as OpenAI.EmbeddingCreateParams));
    expect(notFrames.param).toBe('input');
  });
});

describe('POST /v1/embeddings errors', () => {
  it('404 NotFoundError for an unknown model; 400 model_not_supported for a model whose skill does not embed', async () => {
    const missing = await rejection(client.embeddings.create({ model: 'no-such-model', input: 'x' }));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.code).toBe('model_not_found');
    const classifier = await rejection(client.embeddings.create({ model: 'sst2', input: 'x' }));
    expect(classifier).toBeInstanceOf(BadRequestError);
    expect(classifier.code).toBe('model_not_supported');
    expect(classifier.message).toContain('minilm');
  });

  it('413 payload_too_large above maxInputs, and for a text body above jsonBodyBytes while a larger image body passes', async () => {
    const many = await rejection(client.embeddings.create({ model: 'minilm', input: ['a', 'b', 'c', 'd', 'e'] }));
    expect(many.status).toBe(413);
    expect(many.code).toBe('payload_too_large');
    expect((await client.embeddings.create({ model: 'minilm', input: ['a', 'b', 'c', 'd'] })).data).toHaveLength(4);
    const long = await rejection(client.embeddings.create({ model: 'minilm', input: 'word '.repeat(500) }));
    expect(long.status).toBe(413);
    expect(long.code).toBe('payload_too_large');
    const image = dataUri(pngs[0]!);
    expect(image.length).toBeGreaterThan(limits.jsonBodyBytes);
    expect((await client.embeddings.create({ model: 'clip', input: [image], modality: 'image' } as OpenAI.EmbeddingCreateParams)).data).toHaveLength(1);
    const huge = await post({ model: 'clip', input: ['data:image/png;base64,' + 'A'.repeat(limits.mediaBodyBytes)], modality: 'image' });
    expect(huge.status).toBe(413);
  });

  it('400 for token ids (unsupported_parameter naming input), a modality the model does not embed, a URL, an unknown parameter and a bad encoding', async () => {
    const tokens = await rejection(client.embeddings.create({ model: 'minilm', input: [[101, 2023, 102]] }));
    expect(tokens).toBeInstanceOf(BadRequestError);
    expect([tokens.code, tokens.param]).toEqual(['unsupported_parameter', 'input']);
    const image = await rejection(client.embeddings.create({ model: 'minilm', input: [dataUri(pngs[0]!)], modality: 'image' } as OpenAI.EmbeddingCreateParams));
    expect([image.code, image.param]).toEqual(['unsupported_parameter', 'modality']);
    const url = await rejection(client.embeddings.create({ model: 'clip', input: ['https://example.com/cat.png'], modality: 'image' } as OpenAI.EmbeddingCreateParams));
    expect(url.param).toBe('input[0]');
    expect(url.message).toMatch(/does not fetch URLs/);
    const unknown = await rejection(client.embeddings.create({ model: 'minilm', input: 'x', truncate: true } as OpenAI.EmbeddingCreateParams));
    expect([unknown.code, unknown.param]).toEqual(['unsupported_parameter', 'truncate']);
    const encoding = await post({ model: 'minilm', input: 'x', encoding_format: 'int8' });
    expect(encoding.status).toBe(400);
    expect(((await encoding.json()) as { error: { param: string } }).error.param).toBe('encoding_format');
    const empty = await rejection(client.embeddings.create({ model: 'minilm', input: [] }));
    expect(empty.status).toBe(400);
  });
});

describe('GET /openapi.json', () => {
  it('documents /v1/embeddings and /v1/classify, and stays a valid OpenAPI 3.1 document', async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, { post?: { operationId: string } }> };
    expect(document.paths['/v1/embeddings']?.post?.operationId).toBe('createEmbedding');
    expect(document.paths['/v1/classify']?.post?.operationId).toBe('classify');
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });
});
