import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { AccelError, skillOptionsOf, type Accel, type EndpointOptions, type EndpointStatus, type SkillV1 } from '@accel/core';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { errorReply, HttpError } from './errors.js';
import { toJson } from './json.js';
import { createServerMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';

/** An endpoint the server adds to the registry at start: any `addEndpoint` option, plus a name and when to load. */
export interface ServerEndpointOptions extends EndpointOptions {
  /** The endpoint's id, the name clients use in routes (and, later, in OpenAI's `model` field). Default: `id`, else accel's `<skill>@<device>`. */
  readonly name?: string;
  /** Load on the first request instead of at start; `/ready` does not wait for it. Default false. */
  readonly lazy?: boolean;
}

/** Where the server's warnings and unexpected errors go. Default: `console`. */
export interface ServerLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface ServerLimits {
  /** Largest JSON request body in bytes; larger ones get 413. Default 2,000,000 (TEI's payload limit). */
  readonly jsonBodyBytes?: number;
  /** Milliseconds an inference may take before it is answered with 504 (accel's `timeoutMs`). Default: none. */
  readonly requestTimeoutMs?: number;
}

export interface ServerOptions {
  /** The registry to serve. The server never disposes it: the caller owns it. */
  readonly accel: Accel;
  /**
   * Endpoints to add to `accel` and serve; non-lazy ones start loading at once. Without this, the
   * server serves every endpoint `accel` has, and loads those not loaded yet.
   */
  readonly endpoints?: readonly ServerEndpointOptions[];
  /** Skill objects to describe in `/openapi.json` besides the endpoints' own (needed when an endpoint names its skill by string). */
  readonly skills?: readonly SkillV1[];
  /** A bearer key every route but `/health`, `/ready` and `/metrics` requires, compared in constant time. Default: none. */
  readonly apiKey?: string;
  /** Require the key on `/metrics` too. Default false. */
  readonly metricsAuth?: boolean;
  /** Default `127.0.0.1`; binding elsewhere without `apiKey` logs a warning. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  readonly limits?: ServerLimits;
  /** Answer cross-origin requests from these origins. Default: CORS off. */
  readonly cors?: { readonly origin: string | readonly string[] };
  readonly logger?: ServerLogger;
}

export interface AccelServer {
  /** The handler, to embed the server in another app or call it without a socket. */
  fetch(request: Request): Promise<Response>;
  /** Binds `host:port`; resolves with the URL and any warning (also logged). */
  listen(): Promise<{ url: string; warnings: string[] }>;
  /** Settles when every endpoint the server loads at start has loaded or failed. */
  readonly loaded: Promise<void>;
  /** Stops taking requests (`/ready` turns 503), lets in-flight ones finish and closes the socket. Leaves `accel` as it is. */
  close(): Promise<void>;
}

interface Variables {
  requestId: string;
  route: string;
}

const provenanceHeaders = ['x-accel-endpoint', 'x-accel-backend', 'x-accel-device', 'x-accel-queue-ms', 'x-accel-inference-ms'];
const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What `listen()` warns about before binding `host`: any address other than loopback without an API key. */
export function bindWarnings(host: string, apiKey: string | undefined): string[] {
  if (isLoopback(host) || apiKey !== undefined) return [];
  return [`binding ${host} without an API key: anyone who can reach this address can run the models; set apiKey`];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * An HTTP server for an accel registry on hono: `/health`, `/ready`, `/v1/models`,
 * `/v1/accel/infer/{endpoint}` for any skill, `/v1/accel/status`, `/metrics` and `/openapi.json`.
 * Errors are OpenAI's `{"error":{…}}` everywhere; every response carries `x-request-id`.
 */
export function createServer(options: ServerOptions): AccelServer {
  const { accel } = options;
  const logger = options.logger ?? console;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const jsonBodyBytes = options.limits?.jsonBodyBytes ?? 2_000_000;
  const metrics = createServerMetrics(accel);
  const createdAt = Math.floor(Date.now() / 1000);
  const expectedKey = options.apiKey === undefined ? undefined : digest(options.apiKey);
  const publicPaths = new Set(['/health', '/ready', ...(options.metricsAuth === true ? [] : ['/metrics'])]);

  const skills = new Map<string, SkillV1>();
  for (const skill of options.skills ?? []) skills.set(skill.name, skill);
  const served: string[] | undefined = options.endpoints === undefined ? undefined : [];
  const eager: string[] = [];
  for (const { name, lazy, ...endpoint } of options.endpoints ?? []) {
    if (typeof endpoint.skill !== 'string') skills.set(endpoint.skill.name, endpoint.skill);
    const id = accel.addEndpoint({ ...endpoint, ...(name === undefined ? {} : { id: name }) });
    served?.push(id);
    if (lazy !== true) eager.push(id);
  }
  if (served === undefined) for (const endpoint of accel.status()) if (endpoint.state !== 'ready') eager.push(endpoint.id);
  const loaded = Promise.allSettled(eager.map((id) => accel.init(id))).then(() => undefined);

  /** The status of every endpoint served (a `…:*` endpoint counts as its expansions). */
  const servedStatus = (): EndpointStatus[] => (served === undefined ? accel.status() : served.flatMap((id) => accel.status(id)));
  const isServed = (id: string): boolean => served === undefined || accel.status(id).every((endpoint) => servedStatus().some((known) => known.id === endpoint.id));
  let closing = false;
  let server: Server | undefined;

  const app = new Hono<{ Variables: Variables }>();

  app.use('*', async (c, next) => {
    const startedAt = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming !== undefined && /^[\w\-=]{1,255}$/.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    await next();
    c.res.headers.set('x-request-id', requestId);
    metrics.observeHttp(c.get('route') ?? 'unmatched', c.req.method, c.res.status, (performance.now() - startedAt) / 1000);
  });
  if (options.cors !== undefined) {
    app.use('*', cors({ origin: typeof options.cors.origin === 'string' ? options.cors.origin : [...options.cors.origin], exposeHeaders: ['x-request-id', 'retry-after', 'x-should-retry', ...provenanceHeaders] }));
  }
  app.use('*', async (c, next) => {
    if (expectedKey === undefined || publicPaths.has(c.req.path)) return next();
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expectedKey)) {
      throw new HttpError(401, 'authentication_error', 'invalid_api_key', given === undefined ? 'missing API key: send Authorization: Bearer <key>' : 'invalid API key', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    return next();
  });
  const limitBody = bodyLimit({
    maxSize: jsonBodyBytes,
    onError: () => {
      // The rest of the body is never read: close the connection so the client does not reuse it.
      throw new HttpError(413, 'invalid_request_error', 'payload_too_large', `request body is larger than ${jsonBodyBytes} bytes`, { headers: { connection: 'close' } });
    },
  });

  app.get('/health', (c) => {
    c.set('route', '/health');
    return c.json({ status: 'ok' });
  });

  app.get('/ready', (c) => {
    c.set('route', '/ready');
    const endpoints = servedStatus().map((endpoint) => ({ id: endpoint.id, state: endpoint.state, device: endpoint.device, ...(endpoint.error === undefined ? {} : { error: endpoint.error }) }));
    const waiting = (state: string, id: string) => state === 'loading' || state === 'failed' || state === 'removing' || (state === 'added' && eager.includes(id));
    const ready = !closing && !endpoints.some((endpoint) => waiting(endpoint.state, endpoint.id));
    return c.json({ ready, ...(closing ? { closing: true } : {}), endpoints }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    c.set('route', '/metrics');
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });

  const modelEntry = (endpoint: EndpointStatus) => ({
    id: endpoint.id,
    object: 'model' as const,
    created: createdAt,
    owned_by: 'accel',
    root: endpoint.model,
    accel: { skill: endpoint.skill, model: endpoint.model, backend: endpoint.backend, device: endpoint.device, state: endpoint.state },
  });
  app.get('/v1/models', (c) => {
    c.set('route', '/v1/models');
    return c.json({ object: 'list', data: servedStatus().map(modelEntry) });
  });
  app.get('/v1/models/:id{.+}', (c) => {
    c.set('route', '/v1/models/{id}');
    const id = c.req.param('id');
    const endpoints = servedStatus();
    const found = endpoints.find((endpoint) => endpoint.id === id) ?? endpoints.find((endpoint) => endpoint.model === id);
    if (found === undefined) throw new HttpError(404, 'invalid_request_error', 'model_not_found', `no endpoint or model named ${id}`, { param: 'model' });
    return c.json(modelEntry(found));
  });

  app.get('/v1/accel/status', (c) => {
    c.set('route', '/v1/accel/status');
    return c.body(toJson({ endpoints: servedStatus() }), 200, { 'content-type': 'application/json' });
  });

  app.get('/openapi.json', (c) => {
    c.set('route', '/openapi.json');
    const endpoints = servedStatus().map((endpoint) => ({ name: endpoint.id, skillName: endpoint.skill, skill: skills.get(endpoint.skill) }));
    return c.json(openApiDocument(endpoints, { version, secured: expectedKey !== undefined }));
  });

  app.post('/v1/accel/infer/:endpoint{.+}', limitBody, async (c) => {
    c.set('route', '/v1/accel/infer/{endpoint}');
    if (closing) throw new HttpError(503, 'server_error', 'server_closing', 'the server is closing and takes no new requests', { headers: { 'retry-after': '1' } });
    const name = c.req.param('endpoint');
    const [first] = accel.status(name);
    if (first === undefined || !isServed(name)) throw new HttpError(404, 'invalid_request_error', 'model_not_found', `no endpoint ${name}`, { param: 'model' });
    const body = await readJson(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('input' in body)) {
      throw new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', 'the body must be a JSON object { "input": …, "options": { … } }', { param: 'input' });
    }
    const { input, options: skillOptions, ...extra } = body as { input: unknown; options?: unknown };
    const unknownField = Object.keys(extra)[0];
    if (unknownField !== undefined) throw new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', `unknown field ${unknownField}: the body takes input and options`, { param: unknownField });
    if (skillOptions !== undefined && (typeof skillOptions !== 'object' || skillOptions === null || Array.isArray(skillOptions))) {
      throw new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', 'options must be a JSON object', { param: 'options' });
    }
    const timeoutMs = options.limits?.requestTimeoutMs;
    let result;
    try {
      result = await accel.infer(first.skill, input as never, {
        ...skillOptionsOf(skillOptions as object | undefined),
        endpoint: name,
        signal: c.req.raw.signal,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      } as never);
    } catch (error) {
      metrics.observeFailure(name, AccelError.isInstance(error) ? error.code : 'internal_error');
      throw error;
    }
    const { provenance } = result;
    metrics.observeInference(provenance);
    return c.body(toJson({ output: result.output, provenance }), 200, {
      'content-type': 'application/json',
      'x-accel-endpoint': provenance.endpoint,
      'x-accel-backend': provenance.backend,
      'x-accel-device': provenance.device,
      'x-accel-queue-ms': provenance.timings.queuedMs.toFixed(3),
      'x-accel-inference-ms': provenance.timings.inferenceMs.toFixed(3),
    });
  });

  app.notFound((c) => {
    const { status, body } = errorReply(new HttpError(404, 'invalid_request_error', 'not_found', `no route ${c.req.method} ${c.req.path}`));
    return c.json(body, status as 404);
  });
  app.onError((error, c) => {
    const { status, body, headers } = errorReply(error);
    if (status === 500) logger.error(`${c.req.method} ${c.req.path} (${c.get('requestId')}): ${error.stack ?? error.message}`);
    return c.json(body, status as 500, headers);
  });

  return {
    fetch: async (request) => app.fetch(request),
    loaded,
    listen: () =>
      new Promise((resolve, reject) => {
        const warnings = bindWarnings(host, options.apiKey);
        for (const warning of warnings) logger.warn(warning);
        const started = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
          const shown = host.includes(':') ? `[${host}]` : host;
          resolve({ url: `http://${shown}:${info.port}`, warnings });
        }) as Server;
        started.once('error', reject);
        server = started;
      }),
    close: async () => {
      closing = true;
      const listening = server;
      server = undefined;
      if (listening === undefined) return;
      await new Promise<void>((resolve, reject) => {
        listening.close((error) => (error === undefined ? resolve() : reject(error)));
        listening.closeIdleConnections();
      });
    },
  };
}

/** The request body as JSON; 400 when it is not JSON. */
async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'invalid_request_error', 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
}
