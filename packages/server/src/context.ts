import { AccelError, type Accel, type EndpointStatus, type InferResult, type InferStream, type SkillCapabilitiesV1, type SkillRequest, type SkillV1 } from '@accel/core';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError, invalidParameter } from './errors.js';
import type { ServerMetrics } from './metrics.js';
import { workerOf } from './remote.js';

/** Where the server's warnings and unexpected errors go. Default: `console`. */
export interface ServerLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface ServerLimits {
  /** Largest JSON body of a text-only request, in bytes; larger ones get 413. Default 2,000,000 (TEI's payload limit). */
  readonly jsonBodyBytes?: number;
  /** Largest JSON body that carries images or video frames as data URIs (embeddings, classify, chat). Default 20,000,000. */
  readonly mediaBodyBytes?: number;
  /** Largest audio upload (multipart body or an audio JSON body). Default 25,000,000 (vLLM's). */
  readonly audioBodyBytes?: number;
  /** Most inputs in one embeddings or classify call; more get 413. Default 2048 (OpenAI's). */
  readonly maxInputs?: number;
  /** Milliseconds an inference may take before it is answered with 504 (accel's `timeoutMs`). Default: none. */
  readonly requestTimeoutMs?: number;
}

export type ResolvedLimits = Required<Omit<ServerLimits, 'requestTimeoutMs'>> & Pick<ServerLimits, 'requestTimeoutMs'>;

export function resolveLimits(limits: ServerLimits | undefined): ResolvedLimits {
  return {
    jsonBodyBytes: limits?.jsonBodyBytes ?? 2_000_000,
    mediaBodyBytes: limits?.mediaBodyBytes ?? 20_000_000,
    audioBodyBytes: limits?.audioBodyBytes ?? 25_000_000,
    maxInputs: limits?.maxInputs ?? 2048,
    ...(limits?.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: limits.requestTimeoutMs }),
  };
}

export interface Variables {
  requestId: string;
  route: string;
}

export type App = Hono<{ Variables: Variables }>;
export type RequestContext = Context<{ Variables: Variables }>;

/** A served endpoint with the skill object that runs it. */
export interface ServedEndpoint {
  readonly id: string;
  readonly status: EndpointStatus;
  readonly skill: SkillV1;
  /** True when the endpoint runs elsewhere (`ServerOptions.remote`), not in the server's registry. */
  readonly remote?: boolean;
}

/** A capability every standard route needs from the skill, e.g. `'embed'`. */
export type CapabilityName = keyof SkillCapabilitiesV1<unknown, unknown, unknown>;

/** What every route module gets: the registry, limits, metrics, and the shared steps of serving a request. */
export interface ServerContext {
  readonly accel: Accel;
  readonly metrics: ServerMetrics;
  readonly limits: ResolvedLimits;
  readonly logger: ServerLogger;
  /** The status of every served endpoint: the local registry's, then the remote ones (a name both have is served locally). */
  served(): EndpointStatus[];
  /** The status of every endpoint of the server's own registry that it serves. */
  servedLocal(): EndpointStatus[];
  /** The status of every remote endpoint served (none without `ServerOptions.remote`). */
  servedRemote(): EndpointStatus[];
  /** The current status of one served endpoint (local or remote), by id. */
  statusOf(id: string): EndpointStatus | undefined;
  /** What the remote endpoints say about themselves (`RemoteEndpoints.describe()`), or undefined without any. */
  describeRemote(): unknown;
  /**
   * The served endpoint an OpenAI `model` field names: an endpoint name first, then a model id.
   * 404 `model_not_found` when none; 400 `model_not_supported` when its skill lacks `capability`.
   */
  endpointFor(model: unknown, capability?: CapabilityName): ServedEndpoint;
  /** Every served endpoint whose skill has `capability`, to name them in errors. */
  endpointsWith(capability: CapabilityName): string[];
  /** 503 with `retry-after` once the server is closing. */
  assertOpen(): void;
  /**
   * Runs one request on the endpoint (in the registry, or remotely for a remote endpoint) with the
   * client's abort signal and the server's timeout, records it in the metrics and sets the
   * provenance headers on the response.
   */
  infer(c: RequestContext, endpoint: ServedEndpoint, request: SkillRequest<unknown, unknown>): Promise<InferResult<unknown>>;
  /** Like `infer`, for a streaming skill: pieces as they come; metrics are recorded when `result` settles. */
  stream(c: RequestContext, endpoint: ServedEndpoint, request: SkillRequest<unknown, unknown>): InferStream<unknown>;
  /** Counts a response that outlives its handler (an SSE stream) as in flight until `release` is called, so closing waits for it. */
  hold(): () => void;
  /** A body limit middleware answering 413 in the OpenAI error shape. */
  bodyLimit(maxBytes: number): MiddlewareHandler;
  /** The request body as JSON; 400 when it is not JSON. */
  readJson(c: RequestContext): Promise<unknown>;
}

/** The provenance headers an inference response carries (`x-accel-worker` only when a remote worker ran it). */
export const provenanceHeaderNames = ['x-accel-endpoint', 'x-accel-backend', 'x-accel-device', 'x-accel-queue-ms', 'x-accel-inference-ms', 'x-accel-worker'] as const;

type ProvenanceHeaders = Record<Exclude<(typeof provenanceHeaderNames)[number], 'x-accel-worker'>, string> & { 'x-accel-worker'?: string };

export function provenanceHeaders(result: InferResult<unknown>): ProvenanceHeaders {
  const { provenance } = result;
  const worker = workerOf(result);
  return {
    'x-accel-endpoint': provenance.endpoint,
    'x-accel-backend': provenance.backend,
    'x-accel-device': provenance.device,
    'x-accel-queue-ms': provenance.timings.queuedMs.toFixed(3),
    'x-accel-inference-ms': provenance.timings.inferenceMs.toFixed(3),
    ...(worker === undefined ? {} : { 'x-accel-worker': worker.id }),
  };
}

/**
 * The request header that asks an OpenAI-shaped route (embeddings, classify, transcription JSON) for
 * accel's whole provenance as a top-level `provenance` field of its JSON body. Opt-in, so an OpenAI
 * client that does not send it sees the body unchanged.
 */
export const provenanceRequestHeader = 'x-accel-provenance';

/** True when the request sends `x-accel-provenance: full`, false without the header; another value is a 400 naming the header. */
export function wantsFullProvenance(c: RequestContext): boolean {
  const value = c.req.header(provenanceRequestHeader);
  if (value === undefined) return false;
  if (value.trim().toLowerCase() === 'full') return true;
  throw invalidParameter(provenanceRequestHeader, `${provenanceRequestHeader}: expected full (or no header), got ${JSON.stringify(value)}`);
}

/** The body's `provenance` field when the request asked for it (`x-accel-provenance: full`), else nothing, so the body is as without accel. */
export function provenanceField(full: boolean, result: InferResult<unknown>): { provenance?: InferResult<unknown>['provenance'] } {
  return full ? { provenance: result.provenance } : {};
}

/** Labels the request with its route pattern for the metrics; goes first, so a 413 from the body limit is counted under its route. */
export function routeLabel(route: string): MiddlewareHandler<{ Variables: Variables }> {
  return async (c, next) => {
    c.set('route', route);
    await next();
  };
}

export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      // The rest of the body is never read: close the connection so the client does not reuse it.
      throw new HttpError(413, 'invalid_request_error', 'payload_too_large', `request body is larger than ${maxBytes} bytes`, { headers: { connection: 'close' } });
    },
  });
}

export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'invalid_request_error', 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The code a failure is counted under in `accel_request_failures_total`. */
export function failureCode(error: unknown): string {
  return AccelError.isInstance(error) ? error.code : error instanceof HttpError ? error.code : 'internal_error';
}
