import { BackendUnavailableError, InvalidInputError, UnsupportedError } from '@accel/core';
import { z } from 'zod';
import { configPath, describeConfigIssues, endpointConfigSchema, type EndpointConfig } from '../config.js';
import type { App, ServerContext } from '../context.js';
import type { ServerEndpointOptions } from '../create-server.js';
import { HttpError } from '../errors.js';
import { errorResponse, jsonResponse } from '../openapi.js';

/** What the admin routes may do to the server's endpoints. */
export interface AdminActions {
  /** 401 unless the header carries the admin key. */
  authorize(header: string | undefined): void;
  /** Adds an endpoint to the registry and to what the server serves; `loaded` settles when it has loaded (at once for a lazy one). */
  add(endpoint: ServerEndpointOptions): { id: string; loaded: Promise<void> };
  /** Removes a served endpoint (404 when the server does not serve it). */
  remove(id: string): Promise<void>;
}

function invalid(message: string, param: string | undefined): HttpError {
  return new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', message, param === undefined ? {} : { param });
}

/** The body as one endpoint entry of the config, or 400 naming the first bad field. */
function endpointEntry(body: unknown): EndpointConfig {
  const parsed = endpointConfigSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const path = configPath(parsed.error.issues[0]?.path ?? []);
  throw invalid(`invalid endpoint: ${describeConfigIssues(parsed.error.issues)}`, path === '' ? undefined : path);
}

/**
 * `POST /v1/accel/endpoints` and `DELETE /v1/accel/endpoints/{id}`, behind the admin key (the API
 * key does not grant them). The body of a POST is one endpoint entry of the `accel serve` config;
 * its skill must be registered on the registry (`accel.skill(name)`), its backend too.
 */
export function registerAdminRoutes(app: App, context: ServerContext, actions: AdminActions): void {
  app.use('/v1/accel/endpoints', async (c, next) => {
    actions.authorize(c.req.header('authorization'));
    return next();
  });
  app.use('/v1/accel/endpoints/*', async (c, next) => {
    actions.authorize(c.req.header('authorization'));
    return next();
  });

  app.post('/v1/accel/endpoints', context.bodyLimit(context.limits.jsonBodyBytes), async (c) => {
    c.set('route', '/v1/accel/endpoints');
    context.assertOpen();
    const { name, skill: skillName, ...entry } = endpointEntry(await context.readJson(c));
    const skill = context.accel.skill(skillName);
    if (skill === undefined) {
      throw invalid(`skill ${skillName} is not registered on this server's registry (install @accel/skill-${skillName}; accel serve registers every installed skill when an admin key is set)`, 'skill');
    }
    if (name !== undefined && context.accel.status().some((endpoint) => endpoint.id === name || endpoint.group === name)) {
      throw new HttpError(409, 'invalid_request_error', 'endpoint_exists', `an endpoint named ${name} already exists (DELETE /v1/accel/endpoints/${name} first)`, { param: 'name' });
    }
    let added: { id: string; loaded: Promise<void> };
    try {
      added = actions.add({ ...entry, skill, ...(name === undefined ? {} : { name }) });
    } catch (error) {
      // What addEndpoint refuses is the request's fault: an unregistered backend, a bad batch size.
      if (BackendUnavailableError.isInstance(error)) throw invalid(error.message, 'backend');
      if (InvalidInputError.isInstance(error) || UnsupportedError.isInstance(error)) throw invalid(error.message, undefined);
      throw error;
    }
    const wait = c.req.query('wait');
    if (wait !== 'true' && wait !== '1') {
      added.loaded.catch(() => undefined); // its failure shows in /ready and /v1/accel/status
      return c.json({ id: added.id, state: context.accel.status(added.id)[0]?.state ?? 'added' });
    }
    try {
      await added.loaded;
    } catch (error) {
      // Waited for and failed: take it out again, so a corrected entry can reuse the name.
      await actions.remove(added.id).catch(() => undefined);
      throw error;
    }
    return c.json({ id: added.id, state: context.accel.status(added.id)[0]?.state ?? 'ready' });
  });

  app.delete('/v1/accel/endpoints/:id{.+}', async (c) => {
    c.set('route', '/v1/accel/endpoints/{id}');
    const id = c.req.param('id');
    await actions.remove(id);
    return c.json({ id, deleted: true });
  });
}

const endpointBody = (() => {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(endpointConfigSchema, { io: 'input' }) as Record<string, unknown>;
  return schema;
})();

const adminSecurity = [{ adminBearer: [] }];

/** The OpenAPI document with the admin key's security scheme (`adminBearer`), which the admin operations require. */
export function withAdminSecurity(document: Record<string, unknown>): Record<string, unknown> {
  const components = (document.components ?? {}) as Record<string, unknown>;
  const schemes = (components.securitySchemes ?? {}) as Record<string, unknown>;
  const adminBearer = { type: 'http', scheme: 'bearer', description: 'The admin key (accel serve --admin-key); the API key does not grant admin routes' };
  return { ...document, components: { ...components, securitySchemes: { ...schemes, adminBearer } } };
}

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const adminPaths: Record<string, unknown> = {
  '/v1/accel/endpoints': {
    post: {
      operationId: 'addEndpoint',
      summary: 'Add an endpoint (admin key): one endpoint entry of the accel serve config',
      description: 'Off unless the server has an admin key; the API key does not grant it. With ?wait=true the reply comes once the endpoint has loaded (a load failure removes it again and is the reply).',
      security: adminSecurity,
      parameters: [{ name: 'wait', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false', '1', '0'] } }],
      requestBody: { required: true, content: { 'application/json': { schema: endpointBody } } },
      responses: {
        200: jsonResponse('the endpoint was added', {
          type: 'object',
          required: ['id', 'state'],
          properties: { id: { type: 'string' }, state: { type: 'string' } },
        }),
        400: errorResponse,
        401: errorResponse,
        409: errorResponse,
        413: errorResponse,
        500: errorResponse,
        503: errorResponse,
      },
    },
  },
  '/v1/accel/endpoints/{id}': {
    delete: {
      operationId: 'removeEndpoint',
      summary: 'Remove an endpoint (admin key): queued requests get 503, a running batch finishes',
      security: adminSecurity,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        200: jsonResponse('the endpoint was removed', {
          type: 'object',
          required: ['id', 'deleted'],
          properties: { id: { type: 'string' }, deleted: { type: 'boolean', const: true } },
        }),
        401: errorResponse,
        404: errorResponse,
      },
    },
  },
};
