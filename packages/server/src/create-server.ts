import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { skillOptionsOf, type Accel, type EndpointOptions, type EndpointStatus, type InferResult, type SkillRequest, type SkillV1 } from '@accel/core';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import {
  failureCode,
  limitBody,
  provenanceHeaderNames,
  provenanceHeaders,
  readJson,
  resolveLimits,
  type CapabilityName,
  type RequestContext,
  type ServedEndpoint,
  type ServerContext,
  type ServerLimits,
  type ServerLogger,
  type Variables,
} from './context.js';
import { errorReply, HttpError } from './errors.js';
import { createServerMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { adminPaths, registerAdminRoutes, withAdminSecurity } from './routes/admin.js';
import { audioPaths, registerAudioRoutes } from './routes/audio.js';
import { chatPaths, registerChatRoutes } from './routes/chat.js';
import { classifyPaths, registerClassifyRoutes } from './routes/classify.js';
import { embeddingsPaths, registerEmbeddingsRoutes } from './routes/embeddings.js';
import type { RemoteEndpoints } from './remote.js';
import { registerNativeRoutes } from './routes/native.js';
import { isPlaygroundPath, registerPlaygroundRoutes } from './playground/serve.js';

export type { ServerLimits, ServerLogger } from './context.js';

/** An endpoint the server adds to the registry at start: any `addEndpoint` option, plus a name and when to load. */
export interface ServerEndpointOptions extends EndpointOptions {
  /** The endpoint's id, the name clients use in routes (and, later, in OpenAI's `model` field). Default: `id`, else accel's `<skill>@<device>`. */
  readonly name?: string;
  /** Load on the first request instead of at start; `/ready` does not wait for it. Default false. */
  readonly lazy?: boolean;
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
  /**
   * A bearer key for `POST /v1/accel/endpoints` and `DELETE /v1/accel/endpoints/{id}`, which add and
   * remove endpoints at run time. Default: none, and those routes answer 404.
   */
  readonly adminKey?: string;
  /**
   * Endpoints that run elsewhere, e.g. on `@accel/cluster`'s workers (`createClusterClient` is one),
   * served next to `accel`'s: routes, `/ready`, `/v1/models`, `/v1/accel/status` (as `cluster`),
   * `/openapi.json` and the metrics' gauges include them. A name both have is served locally (one
   * warning). Their skills must be known to the server (`skills`, or registered on `accel`).
   */
  readonly remote?: RemoteEndpoints;
  /**
   * Serve the playground, a static page to try the endpoints from a browser, at `/` (assets under
   * `/playground/`; they need no API key, the API calls they make do). Default true; false answers
   * `/` with 404.
   */
  readonly ui?: boolean;
}

export interface AccelServer {
  /** The handler, to embed the server in another app or call it without a socket. */
  fetch(request: Request): Promise<Response>;
  /** Binds `host:port`; resolves with the URL and any warning (also logged). */
  listen(): Promise<{ url: string; warnings: string[] }>;
  /** Settles when every endpoint the server loads at start has loaded or failed. */
  readonly loaded: Promise<void>;
  /**
   * Stops taking requests (`/ready` and new requests answer 503), lets in-flight ones finish
   * (streams included), then closes the socket; at `deadlineMs` (default 30 s) it closes every
   * connection still open. Leaves `accel` as it is.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
}

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
  const { accel, remote } = options;
  const logger = options.logger ?? console;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const limits = resolveLimits(options.limits);
  const metrics = createServerMetrics(accel, () => remoteStatus());
  const createdAt = Math.floor(Date.now() / 1000);
  const expectedKey = options.apiKey === undefined ? undefined : digest(options.apiKey);
  const publicPaths = new Set(['/health', '/ready', ...(options.metricsAuth === true ? [] : ['/metrics'])]);
  const ui = options.ui ?? true;

  const skills = new Map<string, SkillV1>();
  for (const skill of options.skills ?? []) skills.set(skill.name, skill);
  const skillOf = (name: string): SkillV1 | undefined => skills.get(name) ?? accel.skill(name);
  const served: string[] | undefined = options.endpoints === undefined ? undefined : [];
  const eager: string[] = [];
  /** Adds one configured endpoint to the registry and to what the server serves; returns its id. */
  const addServed = ({ name, lazy, ...endpoint }: ServerEndpointOptions): string => {
    if (typeof endpoint.skill !== 'string') skills.set(endpoint.skill.name, endpoint.skill);
    const id = accel.addEndpoint({ ...endpoint, ...(name === undefined ? {} : { id: name }) });
    served?.push(id);
    if (lazy !== true) eager.push(id);
    return id;
  };
  for (const endpoint of options.endpoints ?? []) addServed(endpoint);
  if (served === undefined) for (const endpoint of accel.status()) if (endpoint.state !== 'ready') eager.push(endpoint.id);
  const loaded = Promise.allSettled(eager.map((id) => accel.init(id))).then(() => undefined);

  /** The status of every endpoint served (a `…:*` endpoint counts as its expansions). */
  const localStatus = (): EndpointStatus[] =>
    served === undefined ? accel.status() : served.flatMap((id) => { try { return accel.status(id); } catch { return []; } });
  const shadowed = new Set<string>();
  /** The remote endpoints served: every one `remote` reports but those a local endpoint's name hides (warned about once per name). */
  const remoteStatus = (local: readonly EndpointStatus[] = localStatus()): EndpointStatus[] => {
    if (remote === undefined) return [];
    const names = new Set(local.flatMap((endpoint) => (endpoint.group === undefined ? [endpoint.id] : [endpoint.id, endpoint.group])));
    return remote.endpoints().filter((endpoint) => {
      if (!names.has(endpoint.id)) return true;
      if (!shadowed.has(endpoint.id)) {
        shadowed.add(endpoint.id);
        logger.warn(`endpoint ${endpoint.id} is served both here and remotely: this server runs it locally and sends none of its requests to the remote one`);
      }
      return false;
    });
  };
  const remoteIds = (statuses: readonly EndpointStatus[]) => new Set(statuses.map((endpoint) => endpoint.id));
  /** Every served endpoint: the local ones, then the remote ones. */
  const servedStatus = (): EndpointStatus[] => {
    const local = localStatus();
    return remote === undefined ? local : [...local, ...remoteStatus(local)];
  };
  let closing = false;
  let server: Server | undefined;
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const release = () => {
    inFlight -= 1;
    if (inFlight === 0) idle?.();
  };
  const hold = () => {
    inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };

  const withCapability = (status: EndpointStatus, capability: CapabilityName | undefined) => capability === undefined || skillOf(status.skill)?.capabilities?.[capability] !== undefined;
  const context: ServerContext = {
    accel,
    metrics,
    limits,
    logger,
    served: servedStatus,
    servedLocal: localStatus,
    servedRemote: () => remoteStatus(),
    statusOf(id) {
      const local = localStatus();
      return local.find((endpoint) => endpoint.id === id) ?? remoteStatus(local).find((endpoint) => endpoint.id === id);
    },
    describeRemote: () => remote?.describe(),
    endpointFor(model, capability) {
      if (typeof model !== 'string' || model.length === 0) {
        throw new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', 'model must name a served endpoint (GET /v1/models lists them)', { param: 'model' });
      }
      const local = localStatus();
      const remoteEndpoints = remoteStatus(local);
      const endpoints = [...local, ...remoteEndpoints];
      const byName = endpoints.filter((endpoint) => endpoint.id === model || endpoint.group === model);
      const matches = byName.length > 0 ? byName : endpoints.filter((endpoint) => endpoint.model === model);
      const [first] = matches;
      if (first === undefined) throw new HttpError(404, 'invalid_request_error', 'model_not_found', `no endpoint or model named ${model} (GET /v1/models lists them)`, { param: 'model' });
      const isRemote = remoteIds(remoteEndpoints).has(first.id);
      const skill = skillOf(first.skill);
      if (skill === undefined) {
        throw new HttpError(
          500,
          'server_error',
          'internal_error',
          isRemote
            ? `endpoint ${first.id} runs remotely with skill ${first.skill}, which this server does not know: install @accel/skill-${first.skill} on the gateway (accel serve registers every installed skill)`
            : `the server does not know skill ${first.skill}: pass it in createServer({ skills })`,
        );
      }
      if (!withCapability(first, capability)) {
        const others = this.endpointsWith(capability!);
        throw new HttpError(400, 'invalid_request_error', 'model_not_supported', `${model} runs skill ${first.skill}, which does not serve this route${others.length > 0 ? ` (endpoints that do: ${others.join(', ')})` : ''}`, {
          param: 'model',
        });
      }
      // An endpoint name routes to that endpoint (or its expansions); a model id to the first endpoint serving it.
      return { id: byName.length > 0 ? model : first.id, status: first, skill, ...(isRemote ? { remote: true } : {}) };
    },
    endpointsWith: (capability) => servedStatus().filter((endpoint) => withCapability(endpoint, capability)).map((endpoint) => endpoint.id),
    assertOpen() {
      if (closing) throw new HttpError(503, 'server_error', 'server_closing', 'the server is closing and takes no new requests', { headers: { 'retry-after': '1', connection: 'close' } });
    },
    async infer(c, endpoint, request) {
      let result: InferResult<unknown>;
      try {
        const options = callOptions(c, endpoint, request);
        result = endpoint.remote === true && remote !== undefined ? await remote.infer(endpoint.skill, request.input, options) : await accel.infer(endpoint.skill, request.input as never, options as never);
      } catch (error) {
        metrics.observeFailure(endpoint.status.id, failureCode(error));
        throw error;
      }
      metrics.observeInference(result.provenance);
      for (const [name, value] of Object.entries(provenanceHeaders(result))) c.header(name, value);
      return result;
    },
    stream(c, endpoint, request) {
      const options = callOptions(c, endpoint, request);
      const streamed = endpoint.remote === true && remote !== undefined ? remote.stream(endpoint.skill, request.input, options) : accel.stream(endpoint.skill, request.input as never, options as never);
      streamed.result.then(
        (result) => metrics.observeInference(result.provenance),
        (error: unknown) => metrics.observeFailure(endpoint.status.id, failureCode(error)),
      );
      return streamed;
    },
    hold,
    bodyLimit: limitBody,
    readJson,
  };
  const callOptions = (c: RequestContext, endpoint: ServedEndpoint, request: SkillRequest<unknown, unknown>) => ({
    ...skillOptionsOf(request.options as object | undefined),
    endpoint: endpoint.id,
    signal: c.req.raw.signal,
    ...(limits.requestTimeoutMs === undefined ? {} : { timeoutMs: limits.requestTimeoutMs }),
  });

  const app = new Hono<{ Variables: Variables }>();

  app.use('*', async (c, next) => {
    const startedAt = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming !== undefined && /^[\w\-=]{1,255}$/.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    inFlight += 1;
    try {
      await next();
    } finally {
      release();
    }
    c.res.headers.set('x-request-id', requestId);
    // While closing, every answer ends its connection, so keep-alive clients reconnect elsewhere.
    if (closing) c.res.headers.set('connection', 'close');
    metrics.observeHttp(c.get('route') ?? 'unmatched', c.req.method, c.res.status, (performance.now() - startedAt) / 1000);
  });
  if (options.cors !== undefined) {
    app.use('*', cors({ origin: typeof options.cors.origin === 'string' ? options.cors.origin : [...options.cors.origin], exposeHeaders: ['x-request-id', 'retry-after', 'x-should-retry', ...provenanceHeaderNames] }));
  }
  app.use('*', async (c, next) => {
    if (expectedKey === undefined || publicPaths.has(c.req.path) || c.req.path.startsWith('/v1/accel/endpoints') || (ui && isPlaygroundPath(c.req.path))) return next();
    checkBearer(c.req.header('authorization'), expectedKey);
    return next();
  });

  app.get('/health', (c) => {
    c.set('route', '/health');
    return c.json({ status: 'ok' });
  });

  app.get('/ready', (c) => {
    c.set('route', '/ready');
    const local = localStatus();
    const entry = (endpoint: EndpointStatus) => ({ id: endpoint.id, state: endpoint.state, device: endpoint.device, ...(endpoint.error === undefined ? {} : { error: endpoint.error }) });
    const unready = (state: string) => state === 'loading' || state === 'failed' || state === 'removing';
    // A remote endpoint left `added` loads on first use on its worker, as a lazy local one does: it does not hold readiness back.
    const endpoints = [
      ...local.map((endpoint) => ({ ...entry(endpoint), waiting: unready(endpoint.state) || (endpoint.state === 'added' && eager.includes(endpoint.id)) })),
      ...remoteStatus(local).map((endpoint) => ({ ...entry(endpoint), remote: true, waiting: unready(endpoint.state) })),
    ];
    const ready = !closing && !endpoints.some((endpoint) => endpoint.waiting);
    return c.json({ ready, ...(closing ? { closing: true } : {}), endpoints: endpoints.map(({ waiting: _waiting, ...endpoint }) => endpoint) }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    c.set('route', '/metrics');
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });

  app.get('/openapi.json', (c) => {
    c.set('route', '/openapi.json');
    const endpoints = servedStatus().map((endpoint) => ({ name: endpoint.id, skillName: endpoint.skill, skill: skillOf(endpoint.skill) }));
    const paths = { ...embeddingsPaths, ...classifyPaths, ...audioPaths, ...chatPaths, ...(options.adminKey === undefined ? {} : adminPaths) };
    const document = openApiDocument(endpoints, { version, secured: expectedKey !== undefined, paths });
    return c.json(options.adminKey === undefined ? document : withAdminSecurity(document));
  });

  if (ui) registerPlaygroundRoutes(app);
  registerNativeRoutes(app, context, { createdAt });
  registerEmbeddingsRoutes(app, context);
  registerClassifyRoutes(app, context);
  registerAudioRoutes(app, context);
  registerChatRoutes(app, context);
  if (options.adminKey !== undefined) {
    const adminKey = digest(options.adminKey);
    registerAdminRoutes(app, context, {
      authorize: (header) => checkBearer(header, adminKey),
      add: (endpoint) => {
        const id = addServed(endpoint);
        return { id, loaded: endpoint.lazy === true ? Promise.resolve() : accel.init(id).then(() => undefined) };
      },
      remove: async (id) => {
        if (!localStatus().some((endpoint) => endpoint.id === id || endpoint.group === id) && remoteStatus().some((endpoint) => endpoint.id === id)) {
          throw new HttpError(404, 'invalid_request_error', 'model_not_found', `endpoint ${id} is served by remote workers (the cluster), not by this server's registry: stop it on its workers`, { param: 'id' });
        }
        if (served !== undefined) {
          const index = served.indexOf(id);
          if (index === -1) throw new HttpError(404, 'invalid_request_error', 'model_not_found', `no endpoint ${id}`, { param: 'id' });
          served.splice(index, 1);
        }
        await accel.removeEndpoint(id);
      },
    });
  }

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
    close: async ({ deadlineMs = 30_000 } = {}) => {
      closing = true;
      const listening = server;
      server = undefined;
      const drained = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve));
      if (listening === undefined) {
        await drained;
        return;
      }
      const closed = new Promise<void>((resolve, reject) => listening.close((error) => (error === undefined ? resolve() : reject(error))));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn(`closing: ${inFlight} request(s) still open after ${deadlineMs} ms; closing their connections`);
          listening.closeAllConnections();
          resolve();
        }, deadlineMs);
        timer.unref();
      });
      await Promise.race([drained, deadline]);
      // A socket whose last response is still being flushed is not idle yet: sweep until the server has closed.
      listening.closeIdleConnections();
      const sweep = setInterval(() => listening.closeIdleConnections(), 20);
      try {
        await closed;
      } finally {
        clearInterval(sweep);
        clearTimeout(timer);
      }
    },
  };
}

/** 401 unless `header` is `Bearer <key>` with the key whose SHA-256 is `expected` (compared in constant time). */
function checkBearer(header: string | undefined, expected: Buffer): void {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1];
  if (given === undefined || !timingSafeEqual(digest(given), expected)) {
    throw new HttpError(401, 'authentication_error', 'invalid_api_key', given === undefined ? 'missing API key: send Authorization: Bearer <key>' : 'invalid API key', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
}
