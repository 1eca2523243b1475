import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, type InferResult } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { gpt2Skill } from '@accel/skill-gpt2';
import { llamaSkill } from '@accel/skill-llama';
import { llavaSkill } from '@accel/skill-llava';
import { t5Skill } from '@accel/skill-t5';
import { splitImagePng } from '@accel/testkit';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger } from './helpers.js';

let accel: Accel;
let server: AccelServer;
let url: string;
let client: OpenAI;
let png: Uint8Array;
const logger = quietLogger();

beforeAll(async () => {
  const forged = async (id: string) => (await forgeModel(id, { root: modelRoot })).directory;
  const [gpt2, smollm, t5, llava] = await Promise.all(['Xenova/gpt2', 'HuggingFaceTB/SmolLM2-135M-Instruct', 'Xenova/t5-small', 'llava-hf/llava-interleave-qwen-0.5b-hf'].map(forged));
  png = await splitImagePng(40, 30, [255, 0, 0], [0, 0, 255]);
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })] });
  server = createServer({
    accel,
    port: 0,
    logger,
    endpoints: [
      { name: 'gpt2', skill: gpt2Skill, model: gpt2! },
      { name: 'smollm', skill: llamaSkill, model: smollm! },
      { name: 't5', skill: t5Skill, model: t5! },
      { name: 'llava', skill: llavaSkill, model: llava! },
    ],
  });
  url = (await server.listen()).url;
  await server.loaded;
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await server.close();
  await accel.dispose();
});

const chat = [
  { role: 'system' as const, content: 'You are brief.' },
  { role: 'user' as const, content: 'Tell me about the sea.' },
];

function usageOf(result: InferResult<unknown>) {
  const usage = result.provenance.usage!;
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens };
}

const finishOf = (stopReason: string) => (stopReason === 'length' ? 'length' : 'stop');

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const chunks: T[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('POST /v1/chat/completions', () => {
  it('answers with the text an in-process accel.infer generates greedily, its usage and finish reason', async () => {
    const local = await accel.infer(llamaSkill, chat, { maxNewTokens: 8, endpoint: 'smollm' });
    const { data, response } = await client.chat.completions.create({ model: 'smollm', messages: chat, max_completion_tokens: 8 }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('smollm');
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: local.output.text });
    expect(data.choices[0]!.finish_reason).toBe(finishOf(local.output.stopReason));
    expect(data.usage).toEqual(usageOf(local));
    expect(data.usage!.completion_tokens).toBe(local.output.tokens.length);
    expect(response.headers.get('x-accel-endpoint')).toBe('smollm');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('streams pieces that add up to the same text: a role chunk first, a finish chunk, then one usage chunk with include_usage', async () => {
    const local = await accel.infer(llamaSkill, chat, { maxNewTokens: 12, endpoint: 'smollm' });
    const { data: stream, response } = await client.chat.completions.create({ model: 'smollm', messages: chat, max_tokens: 12, stream: true, stream_options: { include_usage: true } }).withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const chunks: ChatCompletionChunk[] = await collect(stream);
    const ids = new Set(chunks.map((chunk) => chunk.id));
    expect(ids.size).toBe(1);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'smollm')).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(usageOf(local));
    const finish = chunks.at(-2)!;
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: finishOf(local.output.stopReason) });
    // The provenance headers name the endpoint serving the stream; the finish chunk carries the whole provenance.
    expect(response.headers.get('x-accel-endpoint')).toBe('smollm');
    expect(response.headers.get('x-accel-backend')).toBe(local.provenance.backend);
    expect(response.headers.get('x-accel-device')).toBe(local.provenance.device);
    const provenance = (finish as unknown as { provenance: typeof local.provenance }).provenance;
    expect(provenance).toMatchObject({ endpoint: 'smollm', backend: local.provenance.backend, device: local.provenance.device, usage: local.provenance.usage });
    expect(provenance.timings.inferenceMs).toBeGreaterThan(0);
    const content = chunks.slice(1, -2);
    expect(content.length).toBeGreaterThan(1);
    expect(content.every((chunk) => chunk.usage === null && chunk.choices[0]!.finish_reason === null)).toBe(true);
    expect(content.map((chunk) => chunk.choices[0]!.delta.content).join('')).toBe(local.output.text);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(Number(/^accel_time_to_first_token_seconds_count\{endpoint="smollm"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^accel_generated_tokens_total\{endpoint="smollm"\} (\d+)$/m.exec(metrics)?.[1] ?? Number.NaN)).toBeGreaterThanOrEqual(local.output.tokens.length);
  });

  it('sends no usage in a stream without include_usage', async () => {
    const chunks = await collect(await client.chat.completions.create({ model: 'smollm', messages: chat, max_tokens: 4, stream: true }));
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).not.toBeNull();
  });

  it('answers a vision chat with a data: URI image on LLaVA exactly as in-process', async () => {
    const uri = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
    const local = await accel.infer(llavaSkill, { images: [png], prompt: [{ role: 'user', content: '<image>\nWhat is in the picture?' }] }, { maxNewTokens: 6, endpoint: 'llava' });
    const answer = await client.chat.completions.create({
      model: 'llava',
      max_tokens: 6,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: uri } }, { type: 'text', text: 'What is in the picture?' }] }],
    });
    expect(answer.choices[0]!.message.content).toBe(local.output.text);
    expect(answer.usage).toEqual(usageOf(local));
    expect(answer.usage!.prompt_tokens).toBe(local.provenance.timings.promptTokens);
    const streamed = await collect(
      await client.chat.completions.create({ model: 'llava', max_tokens: 6, stream: true, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: uri } }, { type: 'text', text: 'What is in the picture?' }] }] }),
    );
    expect(streamed.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(local.output.text);
  });

  it('refuses what it cannot honour with 400 naming the parameter, before any stream opens', async () => {
    const refused = async (body: Record<string, unknown>) => {
      const error = await client.chat.completions.create({ model: 'smollm', messages: chat, max_tokens: 2, ...body } as never).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, JSON.stringify(body)).toBeInstanceOf(OpenAI.BadRequestError);
      return error as InstanceType<typeof OpenAI.BadRequestError>;
    };
    for (const [param, body] of [
      ['n', { n: 2 }],
      ['logprobs', { logprobs: true }],
      ['top_logprobs', { top_logprobs: 2 }],
      ['tools', { tools: [{ type: 'function', function: { name: 'f' } }] }],
      ['response_format', { response_format: { type: 'json_object' } }],
      ['logit_bias', { logit_bias: { 5: 10 } }],
      ['frequency_penalty', { frequency_penalty: 0.5 }],
      ['presence_penalty', { presence_penalty: 0.5, stream: true }],
    ] as const) {
      const error = await refused(body);
      expect(error.param, param).toBe(param);
      expect(error.code).toBe('unsupported_parameter');
    }
    const audio = await refused({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] });
    expect(audio).toMatchObject({ code: 'unsupported_parameter', param: 'messages[0].content[0]' });
    const stop = await refused({ stop: ['a', 'b', 'c', 'd', 'e'] });
    expect(stop.param).toBe('stop');
    const url = await refused({ model: 'llava', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://example.com/cat.png' } }] }] });
    expect(url.param).toBe('messages[0].content[0].image_url.url');
    expect(url.message).toMatch(/does not fetch URLs/);
    const image = await refused({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(png).toString('base64')}` } }] }] });
    expect(image.message).toMatch(/reads text only/);
    // Harmless parameters are ignored.
    const fine = await client.chat.completions.create({ model: 'smollm', messages: chat, max_tokens: 2, n: 1, user: 'u', store: false, metadata: { a: 'b' }, frequency_penalty: 0 });
    expect(fine.choices).toHaveLength(1);
  });

  it('fails a chat for a model without a chat template with 400 from the skill, streaming or not; 404 for an unknown model', async () => {
    for (const stream of [false, true]) {
      const error = await client.chat.completions.create({ model: 'gpt2', messages: chat, max_tokens: 2, stream }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, `stream ${stream}`).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as Error).message).toMatch(/no chat template/);
    }
    const t5 = await client.chat.completions.create({ model: 't5', messages: chat }).catch((caught: unknown) => caught);
    expect(t5).toBeInstanceOf(OpenAI.BadRequestError);
    expect(t5).toMatchObject({ code: 'model_not_supported', param: 'model' });
    const unknown = await client.chat.completions.create({ model: 'nobody', messages: chat, stream: true }).catch((caught: unknown) => caught);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({ code: 'model_not_found' });
  });
});

describe('POST /v1/completions', () => {
  it('continues a prompt on gpt2 and t5 with the in-process text and usage, streaming or not', async () => {
    for (const [model, prompt, local] of [
      ['gpt2', 'Once upon a time', await accel.infer(gpt2Skill, 'Once upon a time', { maxNewTokens: 10, endpoint: 'gpt2' })],
      ['t5', 'translate English to German: the house is small', await accel.infer(t5Skill, 'translate English to German: the house is small', { maxNewTokens: 10, endpoint: 't5' })],
    ] as const) {
      const answer = await client.completions.create({ model, prompt, max_tokens: 10 });
      expect(answer.object).toBe('text_completion');
      expect(answer.choices).toEqual([{ index: 0, text: local.output.text, finish_reason: finishOf(local.output.stopReason), logprobs: null }]);
      expect(answer.usage).toEqual(usageOf(local));
      const chunks = await collect(await client.completions.create({ model, prompt: [prompt], max_tokens: 10, stream: true, stream_options: { include_usage: true } }));
      expect(chunks.slice(0, -1).map((chunk) => chunk.choices[0]!.text).join('')).toBe(local.output.text);
      expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe(finishOf(local.output.stopReason));
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: usageOf(local) });
    }
  });

  it('stops at a stop string ("stop") and at max_tokens ("length"), and samples reproducibly with a seed', async () => {
    const greedy = await accel.infer(gpt2Skill, 'Once upon a time', { maxNewTokens: 12, endpoint: 'gpt2' });
    const cut = greedy.output.text.slice(4, 7);
    expect(cut.length).toBe(3);
    const local = await accel.infer(gpt2Skill, 'Once upon a time', { maxNewTokens: 12, stop: [cut], endpoint: 'gpt2' });
    const stopped = await client.completions.create({ model: 'gpt2', prompt: 'Once upon a time', max_tokens: 12, stop: cut });
    expect(stopped.choices[0]).toMatchObject({ text: local.output.text, finish_reason: 'stop' });
    expect(local.output.stopReason).toBe('stop-string');
    const short = await client.completions.create({ model: 'gpt2', prompt: 'Once upon a time', max_tokens: 1 });
    expect(short.choices[0]!.finish_reason).toBe('length');
    const sampled = await accel.infer(gpt2Skill, 'Once upon a time', { maxNewTokens: 8, temperature: 1.5, topP: 0.9, topK: 40, seed: 7, endpoint: 'gpt2' });
    const remote = await client.completions.create({ model: 'gpt2', prompt: 'Once upon a time', max_tokens: 8, temperature: 1.5, top_p: 0.9, seed: 7, top_k: 40 } as never);
    expect((remote as { choices: Array<{ text: string }> }).choices[0]!.text).toBe(sampled.output.text);
    // Without a seed, sampling differs from call to call (as OpenAI's does).
    const unseeded = await Promise.all([1, 2, 3].map(() => client.completions.create({ model: 'gpt2', prompt: 'Once upon a time', max_tokens: 8, temperature: 2 })));
    expect(new Set(unseeded.map((answer) => answer.choices[0]!.text)).size).toBeGreaterThan(1);
  });

  it('refuses echo, best_of, suffix and several prompts with 400 naming the parameter; a chat-only request shape is not taken', async () => {
    for (const [param, body] of [
      ['echo', { echo: true }],
      ['best_of', { best_of: 2 }],
      ['suffix', { suffix: 'end' }],
      ['prompt', { prompt: ['one', 'two'] }],
    ] as const) {
      const error = await client.completions.create({ model: 'gpt2', prompt: 'hi', max_tokens: 2, ...body } as never).catch((caught: unknown) => caught);
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ param, code: 'unsupported_parameter' });
    }
  });
});

describe('limits and lifecycle', () => {
  it('answers 413 to a text-only chat body over the JSON limit', async () => {
    const small = createServer({ accel, logger, limits: { jsonBodyBytes: 1_000 } });
    const response = await small.fetch(
      new Request('http://embedded/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'smollm', messages: [{ role: 'user', content: 'x'.repeat(2_000) }] }) }),
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    await small.close();
  });

  it('aborts the generation of a client that disconnects mid-stream; the endpoint serves the next request at once', async () => {
    const failures = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/^accel_request_failures_total\{endpoint="gpt2",code="ACCEL_ABORTED"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await failures();
    const stream = await client.completions.create({ model: 'gpt2', prompt: 'The history of science', max_tokens: 120, temperature: 1, seed: 1, stream: true });
    let seen = 0;
    for await (const chunk of stream) {
      seen += chunk.choices[0]?.text.length ?? 0;
      break; // leaving the loop aborts the request
    }
    let after = before;
    for (let attempt = 0; attempt < 100 && after === before; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await failures();
    }
    expect(seen).toBeGreaterThanOrEqual(0);
    expect(after).toBe(before + 1);
    const startedAt = performance.now();
    const next = await client.completions.create({ model: 'gpt2', prompt: 'Once upon a time', max_tokens: 4 });
    expect(next.choices[0]!.text).toBe((await accel.infer(gpt2Skill, 'Once upon a time', { maxNewTokens: 4, endpoint: 'gpt2' })).output.text);
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    expect(accel.status('gpt2')[0]).toMatchObject({ state: 'ready', queue: { pending: 0 } });
  });

  it('lets an in-flight stream finish while closing (draining) and answers new requests 503', async () => {
    const draining = createServer({ accel, port: 0, logger });
    const { url: drainingUrl } = await draining.listen();
    const drainingClient = new OpenAI({ baseURL: `${drainingUrl}/v1`, apiKey: 'x', maxRetries: 0 });
    const local = await accel.infer(gpt2Skill, 'The history of science', { maxNewTokens: 60, endpoint: 'gpt2' });
    const stream = await drainingClient.completions.create({ model: 'gpt2', prompt: 'The history of science', max_tokens: 60, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    let closed = false;
    const closing = draining.close({ deadlineMs: 20_000 }).then(() => (closed = true));
    const refused = await draining.fetch(new Request('http://embedded/v1/completions', { method: 'POST', body: JSON.stringify({ model: 'gpt2', prompt: 'hi' }) }));
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('server_closing');
    const texts = [first.value!.choices[0]!.text];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) texts.push(step.value.choices[0]!.text);
    expect(texts.join('')).toBe(local.output.text);
    await closing;
    expect(closed).toBe(true);
  });
});
