import type { EndpointStatus } from '@accel/core';
import { HttpError } from '../errors.js';
import { toJson } from '../json.js';
import { provenanceHeaders, type App, type ServerContext } from '../context.js';

/** A remote endpoint a live worker serves (ready, loading, or not loaded yet on it): one `/v1/models` lists. */
const live = (endpoint: EndpointStatus) => endpoint.state !== 'failed' && endpoint.state !== 'removing';

/** `/v1/models`, `/v1/models/{id}`, `/v1/accel/status` and `POST /v1/accel/infer/{endpoint}` for any skill. */
export function registerNativeRoutes(app: App, context: ServerContext, options: { createdAt: number }): void {
  const modelEntry = (endpoint: EndpointStatus, remote: boolean) => ({
    id: endpoint.id,
    object: 'model' as const,
    created: options.createdAt,
    owned_by: remote ? 'accel-cluster' : 'accel',
    root: endpoint.model,
    accel: { skill: endpoint.skill, model: endpoint.model, backend: endpoint.backend, device: endpoint.device, state: endpoint.state, ...(remote ? { remote: true } : {}) },
  });
  /** Every local endpoint, then the remote ones a live worker serves; a remote one no worker serves is left out with its reason. */
  const listed = () => {
    const remote = context.servedRemote();
    const local = context.servedLocal();
    return { entries: [...local.map((endpoint) => ({ endpoint, remote: false })), ...remote.filter(live).map((endpoint) => ({ endpoint, remote: true }))], down: remote.filter((endpoint) => !live(endpoint)) };
  };
  app.get('/v1/models', (c) => {
    c.set('route', '/v1/models');
    return c.json({ object: 'list', data: listed().entries.map(({ endpoint, remote }) => modelEntry(endpoint, remote)) });
  });
  app.get('/v1/models/:id{.+}', (c) => {
    c.set('route', '/v1/models/{id}');
    const id = c.req.param('id');
    const { entries, down } = listed();
    const found = entries.find(({ endpoint }) => endpoint.id === id) ?? entries.find(({ endpoint }) => endpoint.model === id);
    if (found === undefined) {
      const unserved = down.find((endpoint) => endpoint.id === id);
      const why = unserved === undefined ? '' : ` (${unserved.id} runs remotely and no worker serves it now${unserved.error === undefined ? '' : `: ${unserved.error.message}`})`;
      throw new HttpError(404, 'invalid_request_error', 'model_not_found', `no endpoint or model named ${id}${why}`, { param: 'model' });
    }
    return c.json(modelEntry(found.endpoint, found.remote));
  });

  app.get('/v1/accel/status', (c) => {
    c.set('route', '/v1/accel/status');
    const remote = context.servedRemote();
    const local = context.servedLocal();
    const cluster = context.describeRemote();
    const endpoints = [...local, ...remote.map((endpoint) => ({ ...endpoint, remote: true }))];
    return c.body(toJson({ endpoints, ...(cluster === undefined ? {} : { cluster }) }), 200, { 'content-type': 'application/json' });
  });

  app.post('/v1/accel/infer/:endpoint{.+}', context.bodyLimit(context.limits.jsonBodyBytes), async (c) => {
    c.set('route', '/v1/accel/infer/{endpoint}');
    context.assertOpen();
    const name = c.req.param('endpoint');
    if (!context.served().some((endpoint) => endpoint.id === name || endpoint.group === name)) {
      throw new HttpError(404, 'invalid_request_error', 'model_not_found', `no endpoint ${name}`, { param: 'model' });
    }
    const endpoint = context.endpointFor(name);
    const body = await context.readJson(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('input' in body)) {
      throw new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', 'the body must be a JSON object { "input": …, "options": { … } }', { param: 'input' });
    }
    const { input, options: skillOptions, ...extra } = body as { input: unknown; options?: unknown };
    const unknownField = Object.keys(extra)[0];
    if (unknownField !== undefined) throw new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', `unknown field ${unknownField}: the body takes input and options`, { param: unknownField });
    if (skillOptions !== undefined && (typeof skillOptions !== 'object' || skillOptions === null || Array.isArray(skillOptions))) {
      throw new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', 'options must be a JSON object', { param: 'options' });
    }
    const result = await context.infer(c, { ...endpoint, id: name }, { input, ...(skillOptions === undefined ? {} : { options: skillOptions }) });
    return c.body(toJson({ output: result.output, provenance: result.provenance }), 200, { 'content-type': 'application/json', ...provenanceHeaders(result) });
  });
}
