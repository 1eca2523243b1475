import { randomInt, randomUUID } from 'node:crypto';
import type { ChatMessageV1, GenerateCapabilityV1, Generated, GenerateRequest, InferResult } from '@accel/core';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { routeLabel, type App, type RequestContext, type ServedEndpoint, type ServerContext } from '../context.js';
import { decodeDataUri } from '../data-uri.js';
import { errorReply, HttpError, invalidParameter, unsupportedParameter } from '../errors.js';
import { inferenceErrorResponses } from '../openapi.js';

/** The two OpenAI generation routes: a conversation, or a prompt to continue. */
type Kind = 'chat' | 'completion';

type Body = Record<string, unknown>;

/** Marks where an image goes in a message's text (the generate capability's convention). */
const imagePlaceholder = '<image>';

const invalid = invalidParameter;
const unsupported = unsupportedParameter;

/** A field the client set to something other than null or its "off" value. */
function isSet(value: unknown, off: readonly unknown[] = []): boolean {
  return value !== undefined && value !== null && !off.includes(value);
}

/**
 * 400 `unsupported_parameter` naming the first parameter accel cannot honour (docs/server-contract.md §2):
 * a client that asks for several choices, log probabilities, tools or a JSON response would otherwise
 * get something other than it asked for, silently. Harmless ones (`user`, `store`, `metadata`, …) are ignored.
 */
function refuseUnsupported(body: Body, kind: Kind): void {
  const refusals: Array<[string, boolean, string]> = [
    ['n', isSet(body.n, [1]), 'n: one choice per request (n = 1)'],
    ['best_of', kind === 'completion' && isSet(body.best_of, [1]), 'best_of: one candidate per request'],
    ['echo', kind === 'completion' && isSet(body.echo, [false]), 'echo: the prompt is not repeated in the answer'],
    ['suffix', kind === 'completion' && isSet(body.suffix, ['']), 'suffix: no insertion (fill-in-the-middle)'],
    ['logprobs', isSet(body.logprobs, [false]), 'logprobs: log probabilities are not returned'],
    ['top_logprobs', isSet(body.top_logprobs, [0]), 'top_logprobs: log probabilities are not returned'],
    ['logit_bias', isSet(body.logit_bias) && Object.keys(body.logit_bias as object).length > 0, 'logit_bias: no per-token bias'],
    ['frequency_penalty', isSet(body.frequency_penalty, [0]), 'frequency_penalty: use repetition_penalty (vLLM’s extension) instead'],
    ['presence_penalty', isSet(body.presence_penalty, [0]), 'presence_penalty: use repetition_penalty (vLLM’s extension) instead'],
    ['tools', Array.isArray(body.tools) ? body.tools.length > 0 : isSet(body.tools), 'tools: no tool calling'],
    ['tool_choice', isSet(body.tool_choice, ['none']), 'tool_choice: no tool calling'],
    ['functions', Array.isArray(body.functions) ? body.functions.length > 0 : isSet(body.functions), 'functions: no function calling'],
    ['function_call', isSet(body.function_call, ['none']), 'function_call: no function calling'],
    ['response_format', isSet(body.response_format) && (body.response_format as { type?: unknown }).type !== 'text', 'response_format: only {"type":"text"}'],
    ['audio', isSet(body.audio), 'audio: text output only'],
    ['modalities', Array.isArray(body.modalities) && body.modalities.some((modality) => modality !== 'text'), 'modalities: text output only'],
    ['prediction', isSet(body.prediction), 'prediction: no predicted outputs'],
  ];
  for (const [param, refused, reason] of refusals) {
    if (refused) throw unsupported(param, `unsupported parameter ${reason}`);
  }
}

/** An optional number field, checked with OpenAI's parameter name; null counts as absent. */
function numberField(body: Body, name: string, valid: (value: number) => boolean, expected: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) throw invalid(name, `${name} must be ${expected}, got ${JSON.stringify(value)}`);
  return value;
}

function stopField(body: Body): string[] | undefined {
  const { stop } = body;
  if (stop === undefined || stop === null) return undefined;
  const stops = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(stops) || stops.length > 4 || !stops.every((entry) => typeof entry === 'string' && entry.length > 0)) {
    throw invalid('stop', 'stop must be a non-empty string or an array of at most 4 non-empty strings');
  }
  return stops as string[];
}

/** A chat's messages as text with `<image>` placeholders, and the data URIs of its images in order. */
function chatMessages(value: unknown): { messages: ChatMessageV1[]; imageUris: Array<{ uri: unknown; param: string }> } {
  if (!Array.isArray(value) || value.length === 0) throw invalid('messages', 'messages must be a non-empty array of chat messages');
  const imageUris: Array<{ uri: unknown; param: string }> = [];
  const messages = value.map((message: unknown, index): ChatMessageV1 => {
    const param = `messages[${index}]`;
    if (typeof message !== 'object' || message === null) throw invalid(param, `${param} must be an object { role, content }`);
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (role === 'tool' || role === 'function') throw unsupported(`${param}.role`, `unsupported parameter ${param}.role: no tool calling (role ${role})`);
    if (role !== 'system' && role !== 'developer' && role !== 'user' && role !== 'assistant') {
      throw invalid(`${param}.role`, `${param}.role must be system, developer, user or assistant, got ${JSON.stringify(role)}`);
    }
    const mapped = role === 'developer' ? 'system' : role;
    if (typeof content === 'string') return { role: mapped, content };
    if (content === null && role === 'assistant') return { role: mapped, content: '' };
    if (!Array.isArray(content)) throw invalid(`${param}.content`, `${param}.content must be a string or an array of content parts`);
    const texts = content.map((part: unknown, partIndex) => {
      const partParam = `${param}.content[${partIndex}]`;
      const { type, text, image_url: imageUrl } = (typeof part === 'object' && part !== null ? part : {}) as { type?: unknown; text?: unknown; image_url?: unknown };
      if (type === 'text' || type === 'refusal') {
        const partText = type === 'text' ? text : (part as { refusal?: unknown }).refusal;
        if (typeof partText !== 'string') throw invalid(partParam, `${partParam} must carry a string ${String(type)}`);
        return partText;
      }
      if (type === 'image_url') {
        imageUris.push({ uri: typeof imageUrl === 'string' ? imageUrl : (imageUrl as { url?: unknown } | undefined)?.url, param: `${partParam}.image_url.url` });
        return imagePlaceholder;
      }
      if (type === 'input_audio' || type === 'file') throw unsupported(partParam, `unsupported parameter ${partParam}: content parts of type ${type} (text and image_url only)`);
      throw invalid(partParam, `${partParam} must be a content part of type text or image_url, got ${JSON.stringify(type)}`);
    });
    return { role: mapped, content: texts.join('\n') };
  });
  return { messages, imageUris };
}

function completionPrompt(value: unknown): string {
  const prompt = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof prompt === 'string' && prompt.length > 0) return prompt;
  if (Array.isArray(prompt) && prompt.length > 1 && prompt.every((entry) => typeof entry === 'string')) {
    throw unsupported('prompt', 'unsupported parameter prompt: one prompt string per request (send several requests; they batch together)');
  }
  if (Array.isArray(prompt)) throw unsupported('prompt', 'unsupported parameter prompt: token arrays are not taken, send the prompt as a string');
  throw invalid('prompt', 'prompt must be a non-empty string');
}

type FinishReason = 'stop' | 'length';

function finishReason(stopReason: Generated['stopReason']): FinishReason {
  return stopReason === 'length' ? 'length' : 'stop';
}

interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

function usageOf(result: InferResult<unknown>): Usage {
  const { usage, timings } = result.provenance;
  const prompt = usage?.inputTokens ?? 0;
  const completion = usage?.outputTokens ?? timings.tokensGenerated ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** One parsed and mapped request: where it runs, the skill request, and what the answer echoes. */
interface Prepared {
  readonly endpoint: ServedEndpoint;
  readonly capability: GenerateCapabilityV1<unknown, unknown, unknown>;
  readonly request: { readonly input: unknown; readonly options?: unknown };
  readonly model: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

async function prepare(c: RequestContext, context: ServerContext, kind: Kind): Promise<Prepared> {
  context.assertOpen();
  const bytes = Buffer.byteLength(await c.req.text());
  const body = await context.readJson(c);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'the body must be a JSON object');
  const fields = body as Body;
  const endpoint = context.endpointFor(fields.model, 'generate');
  const capability = endpoint.skill.capabilities!.generate!;
  if (kind === 'chat' ? !capability.chat : !capability.completion) {
    const route = kind === 'chat' ? '/v1/chat/completions' : '/v1/completions';
    throw new HttpError(400, 'invalid_request_error', 'model_not_supported', `${String(fields.model)} runs skill ${endpoint.skill.name}, which does not take ${kind === 'chat' ? 'chat messages' : 'a prompt to continue'} (${route})`, {
      param: 'model',
    });
  }
  refuseUnsupported(fields, kind);
  const { messages, imageUris } = kind === 'chat' ? chatMessages(fields.messages) : { messages: undefined, imageUris: [] };
  if (imageUris.length === 0 && bytes > context.limits.jsonBodyBytes) {
    throw new HttpError(413, 'invalid_request_error', 'payload_too_large', `request body is larger than ${context.limits.jsonBodyBytes} bytes (a body with images may take ${context.limits.mediaBodyBytes})`, {
      headers: { connection: 'close' },
    });
  }
  if (imageUris.length > 0 && !capability.images) {
    throw invalid(imageUris[0]!.param, `${String(fields.model)} runs skill ${endpoint.skill.name}, which reads text only: send no image_url parts`);
  }
  const prompt = messages ?? completionPrompt(fields.prompt);
  const images = await Promise.all(imageUris.map(({ uri, param }) => decodeDataUri(uri, 'image', param)));
  const maxTokensName = fields.max_completion_tokens !== undefined && fields.max_completion_tokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const maxNewTokens = numberField(fields, maxTokensName, (value) => Number.isInteger(value) && value > 0, 'a positive integer');
  const temperature = numberField(fields, 'temperature', (value) => value >= 0, 'a number ≥ 0');
  const topP = numberField(fields, 'top_p', (value) => value > 0 && value <= 1, 'a number in (0, 1]');
  // vLLM's top_k: -1 (and 0) mean no limit.
  const topK = numberField(fields, 'top_k', (value) => Number.isInteger(value) && value >= -1, 'an integer ≥ -1 (-1 or 0: no limit)');
  const repetitionPenalty = numberField(fields, 'repetition_penalty', (value) => value > 0, 'a number > 0');
  const seed = numberField(fields, 'seed', (value) => Number.isSafeInteger(value), 'an integer');
  const stop = stopField(fields);
  if (fields.stream !== undefined && fields.stream !== null && typeof fields.stream !== 'boolean') throw invalid('stream', 'stream must be a boolean');
  const streamOptions = fields.stream_options as { include_usage?: unknown } | null | undefined;
  const generate: GenerateRequest = {
    prompt,
    ...(images.length === 0 ? {} : { images }),
    ...(maxNewTokens === undefined ? {} : { maxNewTokens }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { topP }),
    ...(topK === undefined ? {} : { topK: Math.max(topK, 0) }),
    ...(repetitionPenalty === undefined ? {} : { repetitionPenalty }),
    ...(stop === undefined ? {} : { stop }),
    // Sampling without a seed differs from call to call, as OpenAI's does (accel's own default seed is fixed).
    ...(seed !== undefined ? { seed } : temperature !== undefined && temperature > 0 ? { seed: randomInt(0, 2 ** 31) } : {}),
  };
  return {
    endpoint,
    capability,
    request: capability.request(generate),
    model: fields.model as string,
    stream: fields.stream === true,
    includeUsage: fields.stream === true && streamOptions?.include_usage === true,
  };
}

/** The fields every chunk or answer of one request shares. */
function envelope(kind: Kind, model: string) {
  return { id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model };
}

async function answer(c: RequestContext, context: ServerContext, kind: Kind, prepared: Prepared): Promise<Response> {
  const result = await context.infer(c, prepared.endpoint, prepared.request);
  const generated = prepared.capability.result(result.output);
  const shared = envelope(kind, prepared.model);
  const finish = finishReason(generated.stopReason);
  const choice =
    kind === 'chat'
      ? { index: 0, message: { role: 'assistant', content: generated.text, refusal: null }, finish_reason: finish, logprobs: null }
      : { index: 0, text: generated.text, finish_reason: finish, logprobs: null };
  return c.json({ ...shared, object: kind === 'chat' ? 'chat.completion' : 'text_completion', choices: [choice], usage: usageOf(result) });
}

/**
 * Streams the answer as OpenAI's SSE (docs/server-contract.md §5). The generation starts first and
 * the stream opens only once its first piece arrived or it settled, so a request refused by the
 * skill (bad input, unknown model, full queue, a chat for a model without a template) keeps its
 * HTTP status; errors after that go inside the stream as `data: {"error":…}`.
 */
async function stream(c: RequestContext, context: ServerContext, kind: Kind, prepared: Prepared, receivedAt: number): Promise<Response> {
  const streamed = context.stream(c, prepared.endpoint, prepared.request);
  const pieces = streamed[Symbol.asyncIterator]();
  const first = await pieces.next();
  if (!first.done) context.metrics.observeFirstToken(prepared.endpoint.status.id, (performance.now() - receivedAt) / 1000);
  const release = context.hold();
  const shared = envelope(kind, prepared.model);
  const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  const usageField = prepared.includeUsage ? { usage: null } : {};
  const chunk = (choice: Record<string, unknown>) => ({ ...shared, object, choices: [{ index: 0, ...choice, logprobs: null }], ...usageField });
  const piece = (text: string) => (kind === 'chat' ? chunk({ delta: { content: text }, finish_reason: null }) : chunk({ text, finish_reason: null }));
  const send = (sse: SSEStreamingApi, data: unknown) => sse.writeSSE({ data: JSON.stringify(data) });
  c.header('x-accel-buffering', 'no');
  // The stream's headers leave before its provenance exists: they name the endpoint serving it and
  // its device now (a `…:*` group is named only by its members' provenance); the finish chunk
  // carries the whole provenance, timings included, as the extension field `provenance`.
  const { status } = prepared.endpoint;
  if (prepared.endpoint.id === status.id) {
    const now = context.statusOf(status.id);
    if (now !== undefined) {
      c.header('x-accel-endpoint', now.id);
      c.header('x-accel-backend', now.backend);
      c.header('x-accel-device', now.device);
    }
  }
  return streamSSE(c, async (sse) => {
    try {
      if (kind === 'chat') await send(sse, chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
      if (!first.done) await send(sse, piece(first.value));
      for (let next = await pieces.next(); !next.done; next = await pieces.next()) await send(sse, piece(next.value));
      const result = await streamed.result;
      const finish = finishReason(prepared.capability.result(result.output).stopReason);
      const last = kind === 'chat' ? chunk({ delta: {}, finish_reason: finish }) : chunk({ text: '', finish_reason: finish });
      await send(sse, { ...last, provenance: result.provenance });
      if (prepared.includeUsage) await send(sse, { ...shared, object, choices: [], usage: usageOf(result) });
      await sse.writeSSE({ data: '[DONE]' });
    } catch (error) {
      // A client that went away aborted its own generation: there is no one left to tell.
      if (!sse.aborted && !c.req.raw.signal.aborted) {
        const { status, body } = errorReply(error);
        if (status === 500) context.logger.error(`${c.req.method} ${c.req.path} (${c.get('requestId')}), inside the stream: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        await send(sse, body).catch(() => undefined);
        await sse.writeSSE({ data: '[DONE]' }).catch(() => undefined);
      }
    } finally {
      release();
    }
  });
}

/** `POST /v1/chat/completions` and `/v1/completions` (OpenAI, SSE with include_usage). */
export function registerChatRoutes(app: App, context: ServerContext): void {
  const routes: Array<[Kind, string]> = [
    ['chat', '/v1/chat/completions'],
    ['completion', '/v1/completions'],
  ];
  for (const [kind, path] of routes) {
    // The larger media limit admits a chat with images; a text-only body over jsonBodyBytes is refused once read.
    app.post(path, routeLabel(path), context.bodyLimit(kind === 'chat' ? context.limits.mediaBodyBytes : context.limits.jsonBodyBytes), async (c) => {
      const receivedAt = performance.now();
      const prepared = await prepare(c, context, kind);
      return prepared.stream ? stream(c, context, kind, prepared, receivedAt) : answer(c, context, kind, prepared);
    });
  }
}

const samplingProperties = {
  model: { type: 'string', description: 'an endpoint name or model id (GET /v1/models) whose skill declares capabilities.generate' },
  max_tokens: { type: ['integer', 'null'], minimum: 1, description: 'most tokens to generate (default: the skill’s, 128)' },
  temperature: { type: ['number', 'null'], minimum: 0, description: '0 or absent: greedy (accel’s default, not OpenAI’s 1); above 0 samples' },
  top_p: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1 },
  top_k: { type: ['integer', 'null'], minimum: -1, description: 'vLLM’s extension: sample among the k most likely tokens (-1 or 0: no limit)' },
  repetition_penalty: { type: ['number', 'null'], exclusiveMinimum: 0, description: 'vLLM’s extension: > 1 discourages repeats' },
  stop: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 4 }, { type: 'null' }] },
  seed: { type: ['integer', 'null'], description: 'makes sampling reproducible' },
  stream: { type: ['boolean', 'null'], description: 'answer as server-sent events, ending with data: [DONE]' },
  stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' } } },
  n: { type: ['integer', 'null'], enum: [1, null], description: 'only 1; anything else is 400 unsupported_parameter' },
} as const;

const usageSchema = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: { prompt_tokens: { type: 'integer' }, completion_tokens: { type: 'integer' }, total_tokens: { type: 'integer' } },
};

const contentPart = {
  oneOf: [
    { type: 'object', required: ['type', 'text'], properties: { type: { const: 'text' }, text: { type: 'string' } } },
    {
      type: 'object',
      required: ['type', 'image_url'],
      properties: { type: { const: 'image_url' }, image_url: { type: 'object', required: ['url'], properties: { url: { type: 'string', description: 'a data:image/…;base64,… URI (URLs are not fetched)' } } } },
    },
  ],
};


/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const chatPaths: Record<string, unknown> = {
  '/v1/chat/completions': {
    post: {
      operationId: 'createChatCompletion',
      summary: 'OpenAI chat completions on an endpoint whose skill takes chats (images as data: URIs for vision-language skills)',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['model', 'messages'],
              properties: {
                ...samplingProperties,
                max_completion_tokens: { type: ['integer', 'null'], minimum: 1, description: 'most tokens to generate; wins over max_tokens' },
                messages: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    type: 'object',
                    required: ['role'],
                    properties: {
                      role: { enum: ['system', 'developer', 'user', 'assistant'] },
                      content: { oneOf: [{ type: 'string' }, { type: 'array', items: contentPart }, { type: 'null' }] },
                    },
                  },
                },
              },
            },
          },
        },
      },
      responses: {
        200: {
          description: 'a chat.completion object, or with stream: true server-sent chat.completion.chunk events ending with data: [DONE]',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['id', 'object', 'created', 'model', 'choices', 'usage'],
                properties: {
                  id: { type: 'string' },
                  object: { const: 'chat.completion' },
                  created: { type: 'integer' },
                  model: { type: 'string' },
                  choices: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        index: { type: 'integer' },
                        message: { type: 'object', properties: { role: { const: 'assistant' }, content: { type: 'string' } } },
                        finish_reason: { enum: ['stop', 'length'] },
                      },
                    },
                  },
                  usage: usageSchema,
                },
              },
            },
            'text/event-stream': { schema: { type: 'string' } },
          },
        },
        ...inferenceErrorResponses,
      },
    },
  },
  '/v1/completions': {
    post: {
      operationId: 'createCompletion',
      summary: 'OpenAI (legacy) completions: one prompt continued as written',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['model', 'prompt'],
              properties: { ...samplingProperties, prompt: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1 }] } },
            },
          },
        },
      },
      responses: {
        200: {
          description: 'a text_completion object, or with stream: true server-sent text_completion chunks ending with data: [DONE]',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['id', 'object', 'created', 'model', 'choices', 'usage'],
                properties: {
                  id: { type: 'string' },
                  object: { const: 'text_completion' },
                  created: { type: 'integer' },
                  model: { type: 'string' },
                  choices: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, text: { type: 'string' }, finish_reason: { enum: ['stop', 'length'] } } } },
                  usage: usageSchema,
                },
              },
            },
            'text/event-stream': { schema: { type: 'string' } },
          },
        },
        ...inferenceErrorResponses,
      },
    },
  },
};
