import { dtypes, InvalidInputError, type Dtype } from '@accel/core';
import { z } from 'zod';

const positiveInteger = z.number().int().positive();
const nonEmpty = z.string().min(1);

/**
 * One endpoint of a server config: the `addEndpoint` options with the skill by name, plus the
 * endpoint's `name` (what clients use as the OpenAI `model` and in `/v1/accel/infer/{name}`) and
 * `lazy` (load on the first request instead of at start). The same entry is the body of
 * `POST /v1/accel/endpoints`.
 */
export const endpointConfigSchema = z
  .strictObject({
    name: nonEmpty.regex(/^[\w.:@/#-]+$/, 'letters, digits and _ . : @ / # - only').optional().describe('The endpoint id; default accel\'s `<skill>@<device>`'),
    skill: nonEmpty.describe('The skill name, e.g. sentence-embeddings (its package @accel/skill-<name> must be installed)'),
    model: nonEmpty.optional().describe("A local model folder or a hub id; default the skill's default model"),
    backend: nonEmpty.optional().describe('Device label: cpu (default), wasm, cuda:0, cuda:*, openvino:GPU, auto'),
    fallback: z.array(nonEmpty).optional().describe('Device labels to fall back to, in order'),
    dtype: z.enum(dtypes as [Dtype, ...Dtype[]]).optional(),
    lazy: z.boolean().optional().describe('Load on the first request instead of at start; /ready does not wait for it'),
    verify: z.boolean().optional().describe("Re-hash the model's files against its manifest on every load"),
    contextLength: positiveInteger.optional(),
    maxQueueSize: positiveInteger.optional(),
    maxBatchSize: positiveInteger.optional(),
    batchWaitMs: z.number().nonnegative().optional(),
    isolation: z.enum(['worker', 'inline']).optional(),
    replicas: z.union([positiveInteger, z.literal('auto')]).optional().describe("Copies of the model, or 'auto' (the default): one per thread of the endpoint's share for weights of at most 32 MiB, else one"),
    deduplicate: z.boolean().optional(),
    preload: z.boolean().optional().describe("Load every session at start (CLIP: both towers), not each on the first request that needs it"),
  })
  .describe('One endpoint: any addEndpoint option, with the skill by name');

const limitsSchema = z.strictObject({
  jsonBodyBytes: positiveInteger.optional(),
  mediaBodyBytes: positiveInteger.optional(),
  audioBodyBytes: positiveInteger.optional(),
  maxInputs: positiveInteger.optional(),
  requestTimeoutMs: positiveInteger.optional(),
});

const serverSectionSchema = z.strictObject({
  host: nonEmpty.optional(),
  port: z.number().int().min(0).max(65535).optional(),
  apiKey: nonEmpty.optional(),
  adminKey: nonEmpty.optional(),
  metricsAuth: z.boolean().optional(),
  cors: z.strictObject({ origin: z.union([nonEmpty, z.array(nonEmpty).min(1)]) }).optional(),
  limits: limitsSchema.optional(),
  shutdownDeadlineMs: z.number().int().nonnegative().optional(),
  ui: z.boolean().optional().describe('Serve the playground page at / (default true); false answers / with 404'),
});

const modelsSectionSchema = z.strictObject({
  cacheDirectory: nonEmpty.optional(),
  offline: z.boolean().optional(),
  remoteHost: z.url().optional(),
  token: nonEmpty.optional(),
  revision: nonEmpty.optional(),
  ipfsGateway: z.url().optional(),
  concurrency: positiveInteger.optional(),
});

/**
 * The `cluster` section: how `accel worker` and `accel serve --nats` use a NATS JetStream broker
 * (@accel/cluster). `--nats` and `$ACCEL_NATS_URL` override `nats`.
 */
export const clusterSectionSchema = z
  .strictObject({
    nats: nonEmpty
      .regex(/^\S+$/, 'a NATS URL such as nats://host:4222, or several separated by commas (no spaces)')
      .optional()
      .describe('The broker, e.g. nats://10.0.0.5:4222 (several, comma-separated, for a NATS cluster)'),
    ackWaitMs: z.number().int().min(100).optional().describe("How long a silent worker's jobs wait before JetStream redelivers them (workers)"),
    maxDeliver: positiveInteger.optional().describe('Deliveries of one job before JetStream gives up on it (workers)'),
    heartbeatMs: z.number().int().min(50).optional().describe("Heartbeat period for workers whose heartbeats carry none (0.1.x); each newer worker is dead after 3 of its own heartbeat periods without one"),
    maxQueuedPerEndpoint: positiveInteger.optional().describe("Jobs one endpoint's queue holds before publishes are refused (429)"),
    timeoutMs: positiveInteger.optional().describe('How long the gateway waits for a worker to answer a request (504 after)'),
  })
  .describe('Scale-out on NATS JetStream: accel worker and accel serve --nats');

/**
 * The JSON config of `accel serve --config`: `endpoints` to serve, the `server` section (bind,
 * keys, CORS, limits, shutdown deadline), the `models` section (accel's model source options),
 * the registry's `threads` and `workers`, and the `cluster` section (NATS, for `accel worker` and
 * `accel serve --nats`). Unknown keys are errors, so a typo is caught.
 */
export const serverConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    endpoints: z.array(endpointConfigSchema).default([]),
    server: serverSectionSchema.default({}),
    models: modelsSectionSchema.default({}),
    threads: positiveInteger.optional(),
    workers: positiveInteger.optional(),
    cluster: clusterSectionSchema.optional(),
  })
  .superRefine((config, context) => {
    const seen = new Map<string, number>();
    config.endpoints.forEach((endpoint, index) => {
      if (endpoint.name === undefined) return;
      const first = seen.get(endpoint.name);
      if (first !== undefined) context.addIssue({ code: 'custom', path: ['endpoints', index, 'name'], message: `duplicate name ${endpoint.name} (also endpoints[${first}].name)` });
      else seen.set(endpoint.name, index);
    });
  });

export type EndpointConfig = z.infer<typeof endpointConfigSchema>;
export type ServerConfig = z.infer<typeof serverConfigSchema>;
export type ClusterConfig = z.infer<typeof clusterSectionSchema>;

/** `endpoints[0].skill`, `server.cors.origin`: where an issue is, as a reader of the JSON would write it. */
export function configPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text === '' ? String(segment) : `${text}.${String(segment)}`), '');
}

/** One line per issue (at most `limit`), each prefixed with its path: `endpoints[0].skill: …; server.port: …`. */
export function describeConfigIssues(issues: readonly z.core.$ZodIssue[], limit = 3): string {
  const lines = issues.slice(0, limit).map((issue) => {
    const path = configPath(issue.path);
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  return `${lines.join('; ')}${issues.length > limit ? `; and ${issues.length - limit} more` : ''}`;
}

/**
 * Validates an `accel serve` config: the JSON text or the parsed value. Returns it with defaults
 * (`endpoints: []`, `server: {}`, `models: {}`); anything else is an `InvalidInputError` whose
 * reason names each bad value's path (`endpoints[0].maxBatchSize: Too small: expected number to be >0`).
 */
export function parseServerConfig(json: unknown): ServerConfig {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new InvalidInputError({ reason: `the config is not valid JSON: ${(error as Error).message}`, cause: error });
    }
  }
  const result = serverConfigSchema.safeParse(value);
  if (!result.success) throw new InvalidInputError({ reason: describeConfigIssues(result.error.issues) });
  return result.data;
}

/**
 * Validates one endpoint entry (the body of `POST /v1/accel/endpoints`): the entry, or an
 * `InvalidInputError` whose reason names the bad field (`skill: …`).
 */
export function parseEndpointConfig(json: unknown): EndpointConfig {
  const result = endpointConfigSchema.safeParse(json);
  if (result.success) return result.data;
  throw new InvalidInputError({ reason: describeConfigIssues(result.error.issues) });
}
