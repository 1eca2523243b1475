import { Accel } from '@accel/core';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import OpenAI, { APIError, AuthenticationError, NotFoundError, RateLimitError } from 'openai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { gatedCpuBackend, modelRoot, quietLogger, tinyMiniLm } from './helpers.js';

// The typed errors as the official client sees them: its class per status, its retry logic reading our headers.
const modelId = 'Xenova/all-MiniLM-L6-v2';
const models = { cacheDirectory: modelRoot, offline: true };
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await tinyMiniLm();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(accel: Accel, options: Omit<Parameters<typeof createServer>[0], 'accel'>): Promise<string> {
  const server = createServer({ accel, port: 0, logger: quietLogger(), ...options });
  cleanups.push(() => accel.dispose());
  cleanups.push(() => server.close());
  return `${(await server.listen()).url}/v1`;
}

describe('errors through the openai client', () => {
  it('a full queue is a RateLimitError carrying retry-after and the request id; the request the queue took succeeds', async () => {
    const { backend, open } = gatedCpuBackend();
    const accel = new Accel({ backends: [backend], models });
    const baseURL = await serve(accel, {
      endpoints: [{ name: 'minilm', skill: sentenceEmbeddingsSkill, model: modelId, lazy: true, maxQueueSize: 1, maxBatchSize: 1, deduplicate: false }],
    });
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    const calls = ['one', 'two', 'three'].map((input) => client.embeddings.create({ model: 'minilm', input }).then((value) => ({ value }), (error: unknown) => ({ error })));
    for (let attempt = 0; attempt < 200 && accel.status('minilm')[0]?.state !== 'loading'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 500));
    open();
    const settled = await Promise.all(calls);
    const errors = settled.flatMap((outcome) => ('error' in outcome ? [outcome.error] : []));
    const answers = settled.flatMap((outcome) => ('value' in outcome ? [outcome.value] : []));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RateLimitError);
      const rateLimited = error as RateLimitError;
      expect(rateLimited.status).toBe(429);
      expect(rateLimited.code).toBe('ACCEL_QUEUE_FULL');
      expect(rateLimited.type).toBe('rate_limit_error');
      expect(rateLimited.headers.get('retry-after')).toBe('1');
      expect(rateLimited.requestID).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('a wrong key is an AuthenticationError, an unknown model a NotFoundError, a body over the limit an APIError with status 413', async () => {
    const accel = new Accel({ backends: [gatedCpuBackend().backend], models });
    const baseURL = await serve(accel, {
      endpoints: [{ name: 'minilm', skill: sentenceEmbeddingsSkill, model: modelId, lazy: true }],
      apiKey: 'right',
      limits: { jsonBodyBytes: 1_000 },
    });
    const wrong = new OpenAI({ baseURL, apiKey: 'wrong', maxRetries: 0 });
    const error = await wrong.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('invalid_api_key');

    const right = new OpenAI({ baseURL, apiKey: 'right', maxRetries: 0 });
    expect((await right.models.list()).data.map((model) => model.id)).toEqual(['minilm']);
    const missing = await right.embeddings.create({ model: 'nope', input: 'a' }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).code).toBe('model_not_found');
    const large = await right.embeddings.create({ model: 'minilm', input: 'word '.repeat(400) }).catch((caught: unknown) => caught);
    expect(large).toBeInstanceOf(APIError);
    expect((large as APIError).status).toBe(413);
    expect((large as APIError).code).toBe('payload_too_large');
  });
});
