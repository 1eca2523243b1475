import { inputJsonSchema, outputJsonSchema, type SkillV1 } from '@accel/core';

/** What the OpenAPI document needs to know of one served endpoint. */
export interface DocumentedEndpoint {
  readonly name: string;
  readonly skillName: string;
  /** The skill object, when the server knows it; without it the request and output are described as any JSON. */
  readonly skill: SkillV1 | undefined;
}

export const errorResponse = { description: 'An error, in the OpenAI shape', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
/** The error answers every inference route may give (401 only matters with a key, but is listed: clients generate from this). */
export const inferenceErrorResponses = {
  400: errorResponse,
  401: errorResponse,
  404: errorResponse,
  413: errorResponse,
  429: errorResponse,
  503: errorResponse,
  504: errorResponse,
} as const;

/** OpenAI's `usage` of an embeddings-like answer: the input tokens. */
export const promptUsageSchema = {
  type: 'object',
  required: ['prompt_tokens', 'total_tokens'],
  properties: { prompt_tokens: { type: 'integer', minimum: 0 }, total_tokens: { type: 'integer', minimum: 0 } },
} as const;

export const jsonResponse = (description: string, schema: Record<string, unknown> = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });

/** The `x-accel-provenance` request header of the OpenAI-shaped routes (embeddings, classify, transcription). */
export const provenanceHeaderParameter = {
  name: 'x-accel-provenance',
  in: 'header',
  required: false,
  description: 'accel extension: full adds accel’s whole provenance (as POST /v1/accel/infer/{endpoint} returns it) as a top-level provenance field of the JSON body; without it the body is OpenAI’s, unchanged. Any other value is a 400.',
  schema: { type: 'string', enum: ['full'] },
} as const;

/** The body's `provenance` field, present only when the request sent `x-accel-provenance: full`. */
export const provenanceBodyField = {
  type: 'object',
  required: ['endpoint', 'skill', 'backend', 'device', 'dtype', 'model', 'timings'],
  description: 'only with the request header x-accel-provenance: full: accel’s whole provenance (endpoint, backend, device, dtype, model files, timings, …), as POST /v1/accel/infer/{endpoint} returns it',
} as const;

/** A JSON Schema without its `$schema` line: inside an OpenAPI 3.1 document the dialect is the document's. */
function embedded(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/**
 * What an endpoint's skill can serve besides `/v1/accel/infer/{name}`, as plain data: which
 * standard route takes it (`embed` → `/v1/embeddings`, `classify` → `/v1/classify`, `transcribe`
 * → `/v1/audio/*`, `generate` → `/v1/chat/completions` or `/v1/completions`) and with what. The
 * playground picks its route from this; so can any client. `{}` for a skill without capabilities.
 */
export function capabilitySummary(skill: SkillV1 | undefined): Record<string, unknown> {
  const capabilities = skill?.capabilities;
  if (capabilities === undefined) return {};
  const { embed, classify, transcribe, generate } = capabilities;
  return {
    ...(embed === undefined ? {} : { embed: { modalities: [...embed.modalities] } }),
    ...(classify === undefined ? {} : { classify: { modalities: [...classify.modalities], zeroShot: classify.zeroShot } }),
    ...(transcribe === undefined ? {} : { transcribe: { tasks: [...transcribe.tasks], granularities: [...transcribe.granularities] } }),
    ...(generate === undefined ? {} : { generate: { chat: generate.chat, completion: generate.completion, images: generate.images } }),
  };
}

/**
 * The OpenAPI 3.1 document of the server: the fixed routes, and one `POST /v1/accel/infer/{name}`
 * per endpoint whose request and response bodies are the skill's own input, options and output
 * schemas (JSON Schema draft 2020-12, the dialect of OpenAPI 3.1). No skill has code here.
 */
export function openApiDocument(endpoints: readonly DocumentedEndpoint[], options: { version: string; secured: boolean; paths?: Record<string, unknown> }): Record<string, unknown> {
  const security = options.secured ? [{ bearer: [] }] : [];
  const paths: Record<string, unknown> = {
    '/health': { get: { operationId: 'health', summary: 'Liveness: 200 while the process runs', security: [], responses: { 200: jsonResponse('alive') } } },
    '/ready': {
      get: {
        operationId: 'ready',
        summary: 'Readiness: 503 while an endpoint is loading or failed, or the server is closing',
        security: [],
        responses: { 200: jsonResponse('every endpoint is ready'), 503: jsonResponse('not ready') },
      },
    },
    '/metrics': { get: { operationId: 'metrics', summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/v1/models': { get: { operationId: 'listModels', summary: 'One entry per endpoint', responses: { 200: jsonResponse('the list'), 401: errorResponse } } },
    '/v1/models/{id}': {
      get: {
        operationId: 'retrieveModel',
        summary: 'One endpoint, by name or by model id (ids may contain `/`)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: jsonResponse('the model'), 404: errorResponse },
      },
    },
    '/v1/accel/status': { get: { operationId: 'status', summary: "accel's status() of every endpoint", responses: { 200: jsonResponse('the endpoints') } } },
    ...options.paths,
  };
  for (const endpoint of endpoints) {
    const schemas = endpoint.skill?.schemas;
    const input = schemas === undefined ? {} : embedded(inputJsonSchema(schemas.input));
    const skillOptions = schemas === undefined ? { type: 'object' } : embedded(inputJsonSchema(schemas.options));
    const output = schemas === undefined ? {} : embedded(outputJsonSchema(schemas.output));
    paths[`/v1/accel/infer/${endpoint.name}`] = {
      post: {
        operationId: `infer_${endpoint.name.replace(/[^A-Za-z0-9_]/g, '_')}`,
        summary: `Run skill ${endpoint.skillName} on endpoint ${endpoint.name}`,
        ...(endpoint.skill === undefined ? {} : { description: endpoint.skill.description }),
        'x-accel-capabilities': capabilitySummary(endpoint.skill),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['input'], properties: { input, options: skillOptions }, additionalProperties: false },
            },
          },
        },
        responses: {
          200: jsonResponse('the output and its provenance; typed arrays are written as arrays of numbers', {
            type: 'object',
            required: ['output', 'provenance'],
            properties: { output, provenance: { type: 'object' } },
          }),
          400: errorResponse,
          404: errorResponse,
          413: errorResponse,
          429: errorResponse,
          503: errorResponse,
          504: errorResponse,
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'accel server', version: options.version, description: 'Generated from the served skills’ schemas.' },
    paths,
    security,
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['message', 'type', 'param', 'code'],
              properties: { message: { type: 'string' }, type: { type: 'string' }, param: { type: ['string', 'null'] }, code: { type: ['string', 'null'] } },
            },
          },
        },
      },
      ...(options.secured ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
    },
  };
}
