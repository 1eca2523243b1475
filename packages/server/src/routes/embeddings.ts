import { endianness } from 'node:os';
import type { EmbedCapabilityV1 } from '@accel/core';
import { provenanceField, routeLabel, wantsFullProvenance, type App, type ServerContext } from '../context.js';
import { inferenceErrorResponses, jsonResponse, promptUsageSchema, provenanceBodyField, provenanceHeaderParameter } from '../openapi.js';
import { checkTextBodySize, invalid, modalityNames, readModality, readModalityItems, readStandardBody, refuseUnknownFields, unsupported } from './modality-items.js';

const fields = ['input', 'model', 'encoding_format', 'dimensions', 'user', 'modality'] as const;

/** `dimensions`: a positive integer, else 400 (whether it fits the model is known once it has run). */
function readDimensions(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalid('dimensions', `expected a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function readEncoding(value: unknown): 'float' | 'base64' {
  if (value === undefined || value === null) return 'float';
  if (value !== 'float' && value !== 'base64') throw invalid('encoding_format', `expected "float" or "base64", got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The first `dimensions` values, scaled back to unit length, as TEI answers `dimensions`
 * (Matryoshka truncation: the prefix of a normalised vector is no longer normalised).
 */
function truncate(vector: Float32Array, dimensions: number): Float32Array {
  const kept = vector.slice(0, dimensions);
  let sum = 0;
  for (const value of kept) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let index = 0; index < kept.length; index += 1) kept[index]! /= norm;
  return kept;
}

const littleEndian = endianness() === 'LE';

/** The vector's float32 values, little-endian, in base64: what the openai client decodes for `encoding_format: 'base64'`. */
export function float32Base64(vector: Float32Array): string {
  if (littleEndian) return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/**
 * `POST /v1/embeddings` (OpenAI, with base64 and `dimensions`; media through Infinity's `modality`);
 * `x-accel-provenance: full` adds the whole provenance to the body.
 */
export function registerEmbeddingsRoutes(app: App, context: ServerContext): void {
  app.post(
    '/v1/embeddings',
    routeLabel('/v1/embeddings'),
    // Media requests carry data URIs: the larger limit here, and text bodies are held to jsonBodyBytes below.
    context.bodyLimit(context.limits.mediaBodyBytes),
    async (c) => {
      context.assertOpen();
      const full = wantsFullProvenance(c);
      const { body, bytes } = await readStandardBody(c, context);
      refuseUnknownFields(body, fields);
      const modality = readModality(body.modality, 'text');
      checkTextBodySize(bytes, modality, context);
      const endpoint = context.endpointFor(body.model, 'embed');
      const capability = endpoint.skill.capabilities!.embed as EmbedCapabilityV1<unknown, unknown, unknown>;
      if (!capability.modalities.includes(modality)) {
        throw unsupported('modality', `${String(body.model)} embeds ${capability.modalities.join(' and ')}, not ${modality}`);
      }
      const encoding = readEncoding(body.encoding_format);
      const dimensions = readDimensions(body.dimensions);
      const items = await readModalityItems(body.input, modality, context.limits.maxInputs);
      const result = await context.infer(c, endpoint, capability.request(items));
      let vectors = capability.vectors(result.output);
      if (dimensions !== undefined) {
        const size = vectors[0]?.length ?? 0;
        if (dimensions > size) throw invalid('dimensions', `${String(body.model)} gives ${size}-dimensional embeddings; dimensions must be between 1 and ${size}`);
        vectors = vectors.map((vector) => truncate(vector, dimensions));
      }
      const usage = result.provenance.usage;
      const promptTokens = usage?.inputTokens ?? 0;
      return c.json({
        object: 'list',
        data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: encoding === 'base64' ? float32Base64(vector) : Array.from(vector) })),
        model: body.model as string,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + (usage?.outputTokens ?? 0) },
        ...provenanceField(full, result),
      });
    },
  );
}

const dataUri = { type: 'string', pattern: '^data:', description: 'a data:<kind>/…;base64,… URI (URLs are not fetched)' };

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const embeddingsPaths: Record<string, unknown> = {
  '/v1/embeddings': {
    post: {
      operationId: 'createEmbedding',
      summary: 'Embeddings of texts, images, audio or videos (OpenAI’s request and response; media through Infinity’s modality field)',
      parameters: [provenanceHeaderParameter],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['input', 'model'],
              additionalProperties: false,
              properties: {
                model: { type: 'string', description: 'an endpoint name or model id (GET /v1/models)' },
                input: {
                  description:
                    'text: a string or an array of strings; image and audio: a data URI or an array of them; video: an array of frame data URIs (one video) or an array of such arrays. At most the server’s maxInputs items (default 2048). Token-id arrays are refused.',
                  oneOf: [
                    { type: 'string' },
                    { type: 'array', minItems: 1, items: { type: 'string' } },
                    { type: 'array', minItems: 1, items: { type: 'array', minItems: 1, items: dataUri } },
                  ],
                },
                encoding_format: { type: 'string', enum: ['float', 'base64'], default: 'float', description: 'base64: each vector’s float32 values, little-endian' },
                dimensions: { type: 'integer', minimum: 1, description: 'keep the first n values and scale them to unit length' },
                user: { type: 'string', description: 'accepted and ignored' },
                modality: { type: 'string', enum: [...modalityNames], default: 'text', description: 'what input holds (Infinity’s extension)' },
              },
            },
          },
        },
      },
      responses: {
        200: jsonResponse('one embedding per input, in order', {
          type: 'object',
          required: ['object', 'data', 'model', 'usage'],
          properties: {
            object: { const: 'list' },
            data: {
              type: 'array',
              items: {
                type: 'object',
                required: ['object', 'index', 'embedding'],
                properties: {
                  object: { const: 'embedding' },
                  index: { type: 'integer', minimum: 0 },
                  embedding: { oneOf: [{ type: 'array', items: { type: 'number' } }, { type: 'string', contentEncoding: 'base64' }] },
                },
              },
            },
            model: { type: 'string' },
            usage: promptUsageSchema,
            provenance: provenanceBodyField,
          },
        }),
        ...inferenceErrorResponses,
      },
    },
  },
};
