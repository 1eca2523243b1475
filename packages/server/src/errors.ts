import {
  AbortedError,
  AccelError,
  BackendUnavailableError,
  EndpointNotFoundError,
  InvalidInputError,
  QueueFullError,
  TimeoutError,
  UnsupportedError,
} from '@accel/core';

/** The OpenAI error body, `{"error":{"message","type","param","code"}}`, on every error response. */
export interface ErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: string | null;
  };
}

/** An HTTP answer to an error: status, body and the extra headers the client's retry logic reads. */
export interface ErrorReply {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
}

/** An error the server raises itself (bad JSON, unknown route, wrong key) with the reply it stands for. */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, type: string, code: string, message: string, options: { param?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

/** 400 `ACCEL_INVALID_INPUT` for a request field, `param` naming it. */
export function invalidParameter(param: string, message: string): HttpError {
  return new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', message, { param });
}

/** 400 `unsupported_parameter`: a field the server understands but cannot honour, `param` naming it. */
export function unsupportedParameter(param: string, message: string): HttpError {
  return new HttpError(400, 'invalid_request_error', 'unsupported_parameter', message, { param });
}

function reply(status: number, type: string, code: string | null, message: string, param: string | null = null, headers: Record<string, string> = {}): ErrorReply {
  return { status, body: { error: { message, type, param, code } }, headers };
}

/**
 * Where in the request an `InvalidInputError` points: the schema's path from its reason
 * (`options.pooling: …` → `options.pooling`, `0: …` → `input[0]`, `images.1: …` → `input.images[1]`),
 * else the list item it names, else `input`.
 */
export function paramOf(error: InvalidInputError): string {
  const path = /^([A-Za-z0-9_$]+(?:\.[A-Za-z0-9_$]+)*): /.exec(error.reason)?.[1];
  if (path !== undefined) {
    const segments = path.split('.');
    const root = segments[0] === 'options' ? 'options' : 'input';
    const rest = segments[0] === 'options' ? segments.slice(1) : segments;
    return rest.reduce((param, segment) => (/^\d+$/.test(segment) ? `${param}[${segment}]` : `${param}.${segment}`), root);
  }
  return error.index === undefined ? 'input' : `input[${error.index}]`;
}

/**
 * How each error reaches an HTTP client (docs/server-contract.md §3): accel's typed errors keep
 * their code; queue-full is 429 with `retry-after`; a timeout is 504 that the client must not
 * retry; an unavailable backend or a draining registry is 503; anything else is 500.
 */
export function errorReply(error: unknown): ErrorReply {
  if (error instanceof HttpError) return reply(error.status, error.type, error.code, error.message, error.param, { ...error.headers });
  if (InvalidInputError.isInstance(error)) return reply(400, 'invalid_request_error', error.code, error.message, paramOf(error));
  if (UnsupportedError.isInstance(error)) return reply(400, 'invalid_request_error', 'unsupported_parameter', error.message);
  if (EndpointNotFoundError.isInstance(error)) return reply(404, 'invalid_request_error', 'model_not_found', error.message, 'model');
  if (QueueFullError.isInstance(error)) return reply(429, 'rate_limit_error', error.code, error.message, null, { 'retry-after': '1' });
  if (TimeoutError.isInstance(error)) return reply(504, 'timeout_error', error.code, error.message, null, { 'x-should-retry': 'false' });
  if (AbortedError.isInstance(error) || BackendUnavailableError.isInstance(error)) {
    return reply(503, 'server_error', error.code, error.message, null, { 'retry-after': '1' });
  }
  // ModelNotFoundError, InvalidModelError and ModelIntegrityError arise while the server loads a
  // model it was configured with: the request was fine, the server's model is not.
  if (AccelError.isInstance(error)) return reply(500, 'server_error', error.code, error.message);
  return reply(500, 'server_error', 'internal_error', 'internal server error');
}
