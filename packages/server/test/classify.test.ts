import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { clipSkill, type ClipOutput } from '@accel/skill-clip';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { textClassificationSkill } from '@accel/skill-text-classification';
import OpenAI, { APIError, BadRequestError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger, tinyMiniLm } from './helpers.js';
import { dataUri, patternPng } from './media-fixtures.js';

interface LabelScore {
  label: string;
  score: number;
}
interface ClassifyResponse {
  object: string;
  data: LabelScore[][];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

let accel: Accel;
let server: AccelServer;
let client: OpenAI;
let pngs: Buffer[];

beforeAll(async () => {
  await tinyMiniLm();
  const clip = await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot });
  const sst2 = await forgeModel('Xenova/distilbert-base-uncased-finetuned-sst-2-english', { root: modelRoot });
  pngs = await Promise.all([patternPng(0), patternPng(2)]);
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models: { cacheDirectory: modelRoot, offline: true } });
  server = createServer({
    accel,
    endpoints: [
      { name: 'clip', skill: clipSkill, model: clip.directory },
      { name: 'sst2', skill: textClassificationSkill, model: sst2.directory },
      { name: 'minilm', skill: sentenceEmbeddingsSkill, model: 'Xenova/all-MiniLM-L6-v2' },
    ],
    port: 0,
    limits: { maxInputs: 4 },
    logger: quietLogger(),
  });
  const { url } = await server.listen();
  await server.loaded;
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
  await accel.dispose();
});

/** `POST /v1/classify` through the openai client's generic `post` (the route is an extension, not in its types). */
const classify = (body: Record<string, unknown>) => client.post<ClassifyResponse>('/classify', { body });

function zeroShot(output: ClipOutput): LabelScore[][] {
  if (output.task !== 'zero-shot-image-classification') throw new Error(`expected a classification, got ${output.task}`);
  return output.classifications;
}

function expectSameScores(actual: readonly LabelScore[][], expected: readonly (readonly LabelScore[])[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((ranking, row) => {
    expect(ranking.map((entry) => entry.label)).toEqual(expected[row]!.map((entry) => entry.label));
    ranking.forEach((entry, rank) => expect(Math.abs(entry.score - expected[row]![rank]!.score)).toBeLessThanOrEqual(1e-6));
  });
}

async function rejection(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe('POST /v1/classify', () => {
  it('classifies images sent as data URIs on CLIP against the labels, equal to in-process; the template reaches the skill', async () => {
    const labels = ['a cat', 'a dog', 'a car'];
    const local = zeroShot((await accel.infer(clipSkill, { images: pngs, labels }, { endpoint: 'clip' })).output);
    // Without modality: CLIP classifies images only, so image is meant.
    const result = await classify({ model: 'clip', input: pngs.map((png) => dataUri(png)), labels });
    expect(result.object).toBe('classify');
    expect(result.model).toBe('clip');
    expectSameScores(result.data, local);
    for (const ranking of result.data) {
      expect(ranking.map((entry) => entry.label).sort()).toEqual([...labels].sort());
      expect(Math.abs(ranking.reduce((sum, entry) => sum + entry.score, 0) - 1)).toBeLessThan(1e-5);
    }
    expect(result.usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });

    const template = 'a blurry picture of {}';
    const withTemplate = zeroShot((await accel.infer(clipSkill, { images: pngs, labels }, { endpoint: 'clip', template })).output);
    const templated = await classify({ model: 'clip', input: pngs.map((png) => dataUri(png)), labels, template, modality: 'image' });
    expectSameScores(templated.data, withTemplate);
    // A different template gives different scores: the check above could fail.
    expect(templated.data[0]![0]!.score).not.toBe(result.data[0]!.find((entry) => entry.label === templated.data[0]![0]!.label)!.score);
  });

  it('classifies texts on a sequence-classification model with its own labels, every label with its score, and counts the tokens', async () => {
    const texts = ['I love it', 'the service was slow and the food was cold'];
    const local = await accel.infer(textClassificationSkill, texts, { endpoint: 'sst2', topK: 10 });
    const result = await classify({ model: 'sst2', input: texts });
    expectSameScores(result.data, local.output.classifications);
    for (const ranking of result.data) expect(ranking.map((entry) => entry.label).sort()).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(local.provenance.usage!.inputTokens).toBeGreaterThan(4);
    expect(result.usage).toEqual({ prompt_tokens: local.provenance.usage!.inputTokens, total_tokens: local.provenance.usage!.inputTokens });
  });

  it('400 without labels on a zero-shot model, with labels on a model with its own, for text on CLIP; 404 unknown; model_not_supported; 413 over maxInputs', async () => {
    const noLabels = await rejection(classify({ model: 'clip', input: [dataUri(pngs[0]!)] }));
    expect(noLabels).toBeInstanceOf(BadRequestError);
    expect(noLabels.param).toBe('labels');
    const ownLabels = await rejection(classify({ model: 'sst2', input: ['hi'], labels: ['good', 'bad'] }));
    expect([ownLabels.code, ownLabels.param]).toEqual(['unsupported_parameter', 'labels']);
    const textOnClip = await rejection(classify({ model: 'clip', input: ['a cat'], labels: ['a', 'b'], modality: 'text' }));
    expect([textOnClip.code, textOnClip.param]).toEqual(['unsupported_parameter', 'modality']);
    const notImage = await rejection(classify({ model: 'clip', input: ['a cat'], labels: ['a', 'b'] }));
    expect(notImage.param).toBe('input[0]');
    const missing = await rejection(classify({ model: 'nope', input: ['x'] }));
    expect(missing).toBeInstanceOf(NotFoundError);
    const embedder = await rejection(classify({ model: 'minilm', input: ['x'] }));
    expect(embedder.code).toBe('model_not_supported');
    const many = await rejection(classify({ model: 'sst2', input: ['a', 'b', 'c', 'd', 'e'] }));
    expect([many.status, many.code]).toEqual([413, 'payload_too_large']);
  });
});
