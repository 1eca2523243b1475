import { randomUUID } from 'node:crypto';
import type { ClassifyCapabilityV1, EmbeddingModality } from '@accel/core';
import { provenanceField, routeLabel, wantsFullProvenance, type App, type ServerContext } from '../context.js';
import { inferenceErrorResponses, jsonResponse, promptUsageSchema, provenanceBodyField, provenanceHeaderParameter } from '../openapi.js';
import { checkTextBodySize, invalid, modalityNames, optionalString, readModality, readModalityItems, readStandardBody, refuseUnknownFields, unsupported } from './modality-items.js';

const fields = ['input', 'model', 'labels', 'modality', 'template', 'user'] as const;

function readLabels(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw invalid('labels', 'expected a non-empty array of strings');
  value.forEach((label, index) => {
    if (typeof label !== 'string') throw invalid(`labels[${index}]`, `expected a string, got ${label === null ? 'null' : typeof label}`);
  });
  return value as string[];
}

/**
 * `POST /v1/classify` (Infinity's shape): every label with its score per input, best first — the
 * caller's labels for a zero-shot skill (CLIP, CLAP, X-CLIP), the model's own for a
 * sequence-classification head (text-classification). `x-accel-provenance: full` adds the whole
 * provenance to the body.
 */
export function registerClassifyRoutes(app: App, context: ServerContext): void {
  app.post(
    '/v1/classify',
    routeLabel('/v1/classify'),
    // Media requests carry data URIs: the larger limit here, and text bodies are held to jsonBodyBytes below.
    context.bodyLimit(context.limits.mediaBodyBytes),
    async (c) => {
      context.assertOpen();
      const full = wantsFullProvenance(c);
      const { body, bytes } = await readStandardBody(c, context);
      refuseUnknownFields(body, fields);
      const endpoint = context.endpointFor(body.model, 'classify');
      const capability = endpoint.skill.capabilities!.classify as ClassifyCapabilityV1<unknown, unknown, unknown>;
      // Without `modality`: what the model classifies, when that is one thing (CLIP: images), else text.
      const fallback: EmbeddingModality = capability.modalities.length === 1 ? capability.modalities[0]! : 'text';
      const modality = readModality(body.modality, fallback);
      checkTextBodySize(bytes, modality, context);
      if (!capability.modalities.includes(modality)) {
        throw unsupported('modality', `${String(body.model)} classifies ${capability.modalities.join(' and ')}, not ${modality}`);
      }
      const labels = readLabels(body.labels);
      const template = optionalString(body, 'template');
      if (capability.zeroShot) {
        if (labels === undefined) throw invalid('labels', `${String(body.model)} is a zero-shot classifier: give the candidate labels`);
        if (template !== undefined && !template.includes('{}')) throw invalid('template', 'must contain {} where the label goes');
      } else {
        if (labels !== undefined) throw unsupported('labels', `${String(body.model)} classifies with the model’s own labels; it takes no candidate labels`);
        if (template !== undefined) throw unsupported('template', `${String(body.model)} classifies with the model’s own labels; a template applies to zero-shot models`);
      }
      const items = await readModalityItems(body.input, modality, context.limits.maxInputs);
      const result = await context.infer(c, endpoint, capability.request(items, labels, template));
      const usage = result.provenance.usage;
      const promptTokens = usage?.inputTokens ?? 0;
      return c.json({
        id: `classify-${randomUUID()}`,
        object: 'classify',
        created: Math.floor(Date.now() / 1000),
        data: capability.scores(result.output).map((scores) => scores.map(({ label, score }) => ({ label, score }))),
        model: body.model as string,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + (usage?.outputTokens ?? 0) },
        ...provenanceField(full, result),
      });
    },
  );
}

const labelScore = { type: 'object', required: ['label', 'score'], properties: { label: { type: 'string' }, score: { type: 'number' } } };

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const classifyPaths: Record<string, unknown> = {
  '/v1/classify': {
    post: {
      operationId: 'classify',
      summary: 'Every label with its score per input, best first (Infinity’s shape): zero-shot against your labels, or the model’s own labels',
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
                    'texts, or data URIs for images and audio (a string or an array); a video is an array of frame data URIs, several videos an array of such arrays. URLs are not fetched.',
                  oneOf: [
                    { type: 'string' },
                    { type: 'array', minItems: 1, items: { type: 'string' } },
                    { type: 'array', minItems: 1, items: { type: 'array', minItems: 1, items: { type: 'string' } } },
                  ],
                },
                labels: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'zero-shot models: the candidate labels (required); others take none' },
                template: { type: 'string', description: 'zero-shot models: the sentence each label goes into, {} marking the label (default: the skill’s)' },
                modality: {
                  type: 'string',
                  enum: [...modalityNames],
                  description: 'what input holds; default: what the model classifies when that is one modality (CLIP: image), else text',
                },
                user: { type: 'string', description: 'accepted and ignored' },
              },
            },
          },
        },
      },
      responses: {
        200: jsonResponse('per input, in order: every label with its score, best first', {
          type: 'object',
          required: ['object', 'data', 'model', 'usage'],
          properties: {
            id: { type: 'string' },
            object: { const: 'classify' },
            created: { type: 'integer' },
            data: { type: 'array', items: { type: 'array', items: labelScore } },
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
