import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Accel, AccelError, BackendUnavailableError, InvalidInputError, isDtype, type BackendV1, type SkillV1 } from '@accel/core';
import type * as ClusterPackage from '@accel/cluster';
import { isHubId, ModelStore } from '@accel/core/model-store';
import type { EndpointConfig, RemoteEndpoints, ServerConfig } from '@accel/server';
import { globalFlags, parseCommandLine, type FlagTable } from '../command-line.js';
import type { DownloadProgressOutput } from '../download-progress.js';
import { createDownloadProgress } from '../download-progress.js';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';
import { importOptional } from '../optional-package.js';
import { installedSkills } from '../skill-packages.js';
import {
  assertSkillsLoaded,
  catchStopSignals,
  createConfigAccel,
  endpointConfigFlags,
  endpointOptions,
  integerFlag,
  labelsOf,
  loadSkills,
  messageOf,
  modelFlagsHelp,
  natsUrlOf,
  nonEmpty,
  oneEndpointHelp,
  readConfig,
  watchEndpointLoads,
  withModelFlags,
  type ServerModule,
  type Values,
} from './endpoint-config.js';

/** Flags of `accel serve`. */
export const serveFlags = {
  ...globalFlags,
  ...endpointConfigFlags,
  host: { type: 'string' },
  port: { type: 'string' },
  'api-key': { type: 'string' },
  'admin-key': { type: 'string' },
  'cors-origin': { type: 'string', multiple: true },
  'request-timeout': { type: 'string' },
  'shutdown-deadline': { type: 'string' },
  'metrics-auth': { type: 'boolean', default: false },
  'no-ui': { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
} as const satisfies FlagTable;

/** Where the texts of `accel serve --help`'s options start. */
const serveHelpWidth = 22;

export const serveHelp = `usage:
  accel serve --config accel.json [options]        serve the endpoints a config file lists
  accel serve <skill> [--model M] [--backend B]    serve one endpoint of an installed skill
  accel serve --config accel.json --check          validate the config and exit (0 valid, 1 not): loads and binds nothing
  accel serve --config gateway.json --nats URL     also a gateway: serves the endpoints of the cluster's accel workers
  accel serve --nats URL [options]                 a gateway with no endpoint of its own (no config needed)

An OpenAI-compatible HTTP server (@accel/server) on this machine's backends. It prints the URL it
bound, each endpoint's load, and warnings. SIGTERM or SIGINT: /ready and new requests answer 503,
requests in flight (streams too) finish, then the models are released and it exits 0; a second
signal exits at once.

As a gateway (--nats, $ACCEL_NATS_URL or the config's cluster.nats) it also serves, next to its own
endpoints (it may list none), every endpoint the accel workers on that broker serve (accel worker
--help): each request is a job on NATS JetStream, answered by one worker (header x-accel-worker);
/ready answers 503 while an endpoint has no live worker, /v1/accel/status shows the cluster, a full
endpoint queue answers 429. On SIGTERM it drains, then leaves the broker.

config (JSON): { "endpoints": [ { "name": "minilm", "skill": "sentence-embeddings",
  "model": "<folder or hub id>", "backend": "cpu", "lazy": false, …any addEndpoint option } ],
  "server": { "host", "port", "apiKey", "adminKey", "metricsAuth", "cors": { "origin" },
  "limits": { … }, "shutdownDeadlineMs", "ui" }, "models": { "cacheDirectory", "offline", … },
  "threads", "workers", "cluster": { "nats", "timeoutMs", "heartbeatMs", "maxQueuedPerEndpoint", … } }

options (each overrides the config's server section):
  --config            the config file
  --host              address to bind (default 127.0.0.1; elsewhere without a key prints a warning)
  --port              port (default 8080; 0 picks a free one)
  --api-key           bearer key for every route but /health, /ready, /metrics (also $ACCEL_API_KEY)
  --admin-key         turns on POST/DELETE /v1/accel/endpoints behind this key (also $ACCEL_ADMIN_KEY)
  --metrics-auth      require the API key on /metrics too
  --no-ui             serve no playground page at / (default: served; the config's server.ui)
  --cors-origin       answer cross-origin requests from this origin (repeatable; default: CORS off)
  --request-timeout   milliseconds an inference may take before it is answered 504 (default: none; a
                      gateway's remote requests: the config's cluster.timeoutMs, else this, else 60000)
  --nats              be a gateway for the cluster on this broker, e.g. nats://10.0.0.5:4222 (also $ACCEL_NATS_URL)
  --shutdown-deadline milliseconds draining may take before open connections are closed (default 30000)
${modelFlagsHelp(serveHelpWidth)}  --check             validate: schema, skills installed, backends installed and available, model folders present or hub ids well-formed
  --json              with --check: the report as JSON
${oneEndpointHelp(serveHelpWidth, 'the endpoint\'s name, what clients send as "model" (default: the skill\'s name)')}`;

export interface ServeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly progress: DownloadProgressOutput;
}

/** The config with the flags and environment applied: flags win, then `ACCEL_API_KEY` / `ACCEL_ADMIN_KEY`, then the file. */
function withFlags(fileConfig: ServerConfig, values: Values): ServerConfig {
  const config = withModelFlags(fileConfig, values);
  const port = integerFlag(values.port as string | undefined, 'port', 0, 65535);
  const requestTimeoutMs = integerFlag(values['request-timeout'] as string | undefined, 'request-timeout', 1);
  const shutdownDeadlineMs = integerFlag(values['shutdown-deadline'] as string | undefined, 'shutdown-deadline', 0);
  const apiKey = (values['api-key'] as string | undefined) ?? nonEmpty(process.env.ACCEL_API_KEY) ?? config.server.apiKey;
  const adminKey = (values['admin-key'] as string | undefined) ?? nonEmpty(process.env.ACCEL_ADMIN_KEY) ?? config.server.adminKey;
  const origins = values['cors-origin'] as string[] | undefined;
  const server = {
    ...config.server,
    ...(values.host === undefined ? {} : { host: values.host as string }),
    ...(port === undefined ? {} : { port }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(adminKey === undefined ? {} : { adminKey }),
    ...(values['metrics-auth'] === true ? { metricsAuth: true } : {}),
    ...(values['no-ui'] === true ? { ui: false } : {}),
    ...(origins === undefined || origins.length === 0 ? {} : { cors: { origin: origins.length === 1 ? origins[0]! : origins } }),
    ...(requestTimeoutMs === undefined ? {} : { limits: { ...config.server.limits, requestTimeoutMs } }),
    ...(shutdownDeadlineMs === undefined ? {} : { shutdownDeadlineMs }),
  };
  return { ...config, server };
}

/** The backend names a device label needs: `cuda:0` → cuda; `auto` → every known backend. */
function backendNamesOf(label: string): string[] {
  return label === 'auto' ? knownBackends.map((known) => known.name) : [label.split(':')[0]!];
}

interface CheckLine {
  readonly path: string;
  readonly ok: boolean;
  readonly message: string;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** What a model field names: a folder holding the skill's files for the dtype, or a well-formed hub id (cached, or to download). */
async function checkModel(endpoint: EndpointConfig, skill: SkillV1, config: ServerConfig): Promise<{ ok: boolean; message: string }> {
  const model = endpoint.model ?? skill.defaultModel;
  const dtype = endpoint.dtype ?? 'fp32';
  const missingIn = async (folder: string) => {
    const missing: string[] = [];
    for (const entry of ['config.json', ...skill.requiredFiles(dtype)]) {
      const alternatives = typeof entry === 'string' ? [entry] : entry;
      let found = false;
      for (const file of alternatives) if (await isFile(join(folder, file))) found = true;
      if (!found) missing.push(alternatives.join(' or '));
    }
    return missing;
  };
  if (await isDirectory(resolve(model))) {
    const missing = await missingIn(resolve(model));
    return missing.length === 0 ? { ok: true, message: `folder ${resolve(model)}` } : { ok: false, message: `folder ${resolve(model)} lacks ${missing.join(', ')} (${dtype})` };
  }
  if (isAbsolute(model) || model.startsWith('.')) return { ok: false, message: `folder ${resolve(model)} does not exist` };
  if (!isHubId(model)) return { ok: false, message: `${model} is neither an existing folder nor a hub id of the form owner/name` };
  const store = new ModelStore(config.models);
  const folder = await store.directoryOf(model);
  const missing = await missingIn(folder);
  if (missing.length === 0) return { ok: true, message: `hub id ${model}, cached in ${folder}` };
  if (store.settings.offline) return { ok: false, message: `hub id ${model} is not in the cache (${folder} lacks ${missing.join(', ')}) and downloads are off (offline)` };
  return { ok: true, message: `hub id ${model}, downloaded into ${folder} on first load` };
}

/** `accel serve --check`: every problem of the config, each at its path; loads no model and binds nothing. */
async function checkConfig(config: ServerConfig, skills: Map<string, SkillV1 | Error>, natsUrl: string | undefined): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  if (natsUrl !== undefined) lines.push({ path: 'cluster.nats', ok: true, message: `gateway for the cluster at ${natsUrl} (not contacted by --check)` });
  if (config.endpoints.length === 0 && config.server.adminKey === undefined && natsUrl === undefined) lines.push({ path: 'endpoints', ok: false, message: 'no endpoint to serve (and no adminKey to add one at run time)' });
  const probes = new Map<string, Promise<{ ok: boolean; message: string; backend?: BackendV1 }>>();
  const probe = (name: string) => {
    let found = probes.get(name);
    if (found === undefined) {
      found = (async () => {
        const known = knownBackends.find((candidate) => candidate.name === name);
        if (known === undefined) return { ok: false, message: `unknown backend ${name} (known: ${knownBackends.map((candidate) => candidate.name).join(', ')})` };
        const imported = await importKnown<BackendFactory>(known);
        if ('missing' in imported) return { ok: false, message: `${imported.missing} (npm install ${known.packageName})` };
        const backend = imported.value();
        const result = await backend.probe();
        return result.available ? { ok: true, message: `${name} available`, backend } : { ok: false, message: `${name} is not available here: ${result.reason}`, backend };
      })();
      probes.set(name, found);
    }
    return found;
  };
  for (const [index, endpoint] of config.endpoints.entries()) {
    const at = `endpoints[${index}]`;
    const skill = skills.get(endpoint.skill)!;
    lines.push(skill instanceof Error ? { path: `${at}.skill`, ok: false, message: messageOf(skill) } : { path: `${at}.skill`, ok: true, message: `${skill.name} (${skill.packageName})` });
    // Every label's backend must be installed; at least one of the chain must be available here.
    const labels = labelsOf(endpoint);
    const results = await Promise.all(labels.map(async (label) => ({ label, results: await Promise.all(backendNamesOf(label).map(probe)) })));
    const uninstalled = results.flatMap(({ label, results: each }) => (label === 'auto' ? [] : each.filter((result) => result.backend === undefined).map((result) => ({ label, result }))));
    const available = results.filter(({ results: each }) => each.some((result) => result.ok)).map(({ label }) => label);
    const field = endpoint.fallback === undefined ? `${at}.backend` : `${at}.backend/fallback`;
    if (uninstalled.length > 0) lines.push({ path: field, ok: false, message: uninstalled.map(({ label, result }) => `${label}: ${result.message}`).join('; ') });
    else if (available.length === 0) {
      lines.push({ path: field, ok: false, message: `none of ${labels.join(', ')} can run here: ${results.flatMap(({ results: each }) => each.map((result) => result.message)).join('; ')}` });
    } else lines.push({ path: field, ok: true, message: `${labels.join(' → ')} (${available.join(', ')} available)` });
    if (skill instanceof Error) continue;
    lines.push({ path: `${at}.model`, ...(await checkModel(endpoint, skill, config)) });
  }
  // The registry's own checks on each entry (batch size against the skill's, replicas, dtype), without loading anything.
  const backends = (await Promise.all([...probes.values()])).flatMap((result) => (result.backend === undefined ? [] : [result.backend]));
  const dry = new Accel({ backends, ...(config.threads === undefined ? {} : { threads: config.threads }) });
  for (const [index, endpoint] of config.endpoints.entries()) {
    const skill = skills.get(endpoint.skill);
    if (skill instanceof Error || skill === undefined) continue;
    try {
      dry.addEndpoint({ ...endpointOptions(endpoint, skill), id: `check-${index}` });
    } catch (error) {
      // An unregistered backend is already reported above, with its reason.
      if (!BackendUnavailableError.isInstance(error)) lines.push({ path: `endpoints[${index}]`, ok: false, message: messageOf(error) });
    }
  }
  await dry.dispose();
  return lines;
}

type ClusterModule = typeof ClusterPackage;

/** The gateway's side of the cluster: its broker connection, the client, and the client as the server's remote endpoints. */
interface Gateway {
  readonly url: string;
  readonly connection: Awaited<ReturnType<ClusterModule['connectToBroker']>>;
  readonly client: Awaited<ReturnType<ClusterModule['createClusterClient']>>;
  readonly remote: RemoteEndpoints;
}

/** The cluster client as the server's remote endpoints; `/v1/accel/status`'s `cluster` adds the client's counters (answers dropped as duplicates or late, broken streams). */
function remoteEndpointsOf(client: Gateway['client']): RemoteEndpoints {
  return {
    endpoints: () => client.endpoints(),
    infer: (skill, input, options) => client.infer(skill, input as never, options as never),
    stream: (skill, input, options) => client.stream(skill, input as never, options as never),
    describe: () => ({ ...client.describe(), requests: client.stats() }),
  };
}

/** Connects to the broker and starts the cluster client with the config's `cluster` section; `timeoutMs` defaults to the server's request timeout. */
async function startGateway(url: string, config: ServerConfig, io: ServeIo): Promise<Gateway> {
  const cluster = await importOptional<ClusterModule>('@accel/cluster', 'accel serve --nats');
  const { timeoutMs = config.server.limits?.requestTimeoutMs, heartbeatMs, maxQueuedPerEndpoint } = config.cluster ?? {};
  const connection = await cluster.connectToBroker(url, { name: `accel serve ${hostname()}:${process.pid}`, onStatus: (line) => io.stderr(`accel serve: ${line}`) });
  try {
    const client = await cluster.createClusterClient({
      connection,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
      ...(maxQueuedPerEndpoint === undefined ? {} : { maxQueuedPerEndpoint }),
    });
    return { url, connection, client, remote: remoteEndpointsOf(client) };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/**
 * `accel serve`: validates the config, imports the skills and backends it names, serves them with
 * `@accel/server` until SIGTERM or SIGINT, then drains and exits 0. With `--check`, validates only.
 * With a NATS URL (`--nats`, `$ACCEL_NATS_URL` or the config's `cluster.nats`) it is also a gateway:
 * the endpoints `accel worker`s serve on that broker are served next to the local ones.
 */
export async function serveCommand(argv: readonly string[], io: ServeIo): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, serveFlags, 'accel serve');
  if (values.help === true) {
    io.stdout(serveHelp);
    return 0;
  }
  if (positionals.length > 2) throw new InvalidInputError({ reason: `accel serve takes one skill name at most (got ${positionals.slice(1).join(' ')})` });
  if (values.dtype !== undefined && !isDtype(values.dtype)) throw new InvalidInputError({ reason: `unknown dtype ${String(values.dtype)}` });
  const server = (await import('@accel/server')) as ServerModule;
  // A gateway needs no config: `accel serve --nats URL` serves the cluster's endpoints alone.
  const bareGateway =
    values.config === undefined &&
    positionals[1] === undefined &&
    ['model', 'backend', 'dtype', 'name'].every((flag) => values[flag] === undefined) &&
    (values.nats !== undefined || nonEmpty(process.env.ACCEL_NATS_URL) !== undefined);
  const { config: fileConfig, source } = bareGateway ? { config: server.parseServerConfig({}), source: 'accel serve --nats' } : await readConfig(server, values as Values, positionals[1], 'accel serve');
  const config = withFlags(fileConfig, values as Values);
  const natsUrl = natsUrlOf(config, values as Values);
  const skills = await loadSkills(config);

  if (values.check === true) {
    const lines = await checkConfig(config, skills, natsUrl);
    const valid = lines.every((line) => line.ok);
    if (values.json === true) io.stdout(JSON.stringify({ config: source, valid, checks: lines }, null, 2));
    else {
      for (const line of lines) io.stdout(`${line.ok ? 'ok   ' : 'error'} ${line.path}: ${line.message}`);
      const warnings = server.bindWarnings(config.server.host ?? '127.0.0.1', config.server.apiKey);
      for (const warning of warnings) io.stderr(`warning: ${warning}`);
      (valid ? io.stdout : io.stderr)(valid ? `${source}: valid (${config.endpoints.length} endpoint${config.endpoints.length === 1 ? '' : 's'})` : `${source}: not valid`);
    }
    return valid ? 0 : 1;
  }

  assertSkillsLoaded(config, skills, source);
  if (config.endpoints.length === 0 && config.server.adminKey === undefined && natsUrl === undefined) {
    throw new InvalidInputError({ reason: `${source}: endpoints: no endpoint to serve (and no adminKey to add one at run time, nor a --nats broker whose workers serve some)` });
  }
  const progress = createDownloadProgress(io.progress);
  const accel = await createConfigAccel(config, skills, (event) => progress.update(event), { anySkill: config.server.adminKey !== undefined });
  const { shutdownDeadlineMs = 30_000, ...serverSection } = config.server;
  const logger = { warn: (message: string) => io.stderr(`warning: ${message}`), error: (message: string) => io.stderr(`error: ${message}`) };
  let gateway: Gateway | undefined;
  let app: ReturnType<ServerModule['createServer']>;
  try {
    if (natsUrl !== undefined) gateway = await startGateway(natsUrl, config, io);
    app = server.createServer({
      accel,
      endpoints: config.endpoints.map((endpoint) => {
        const { id, ...options } = endpointOptions(endpoint, skills.get(endpoint.skill) as SkillV1);
        return { ...options, ...(id === undefined ? {} : { name: id }) };
      }),
      // A remote endpoint may name any skill installed here (the gateway runs none of them itself).
      ...(gateway === undefined ? {} : { remote: gateway.remote, skills: await installedSkills() }),
      ...serverSection,
      logger,
    });
  } catch (error) {
    await closeGateway(gateway);
    await accel.dispose();
    throw error;
  }

  // Signals are caught from before the socket is bound, so a SIGTERM at any moment drains.
  const signals = catchStopSignals('accel serve', io.stderr);

  let listening: { url: string };
  try {
    listening = await app.listen();
  } catch (error) {
    signals.release();
    await app.close({ deadlineMs: 0 }).catch(() => undefined);
    await closeGateway(gateway);
    await accel.dispose();
    throw error;
  }
  io.stdout(`accel serve: listening on ${listening.url}`);
  if (config.server.ui !== false) io.stdout(`accel serve: playground at ${listening.url}/ (--no-ui turns it off)`);
  if (config.server.adminKey !== undefined) io.stdout(`accel serve: admin routes on (POST/DELETE ${listening.url}/v1/accel/endpoints)`);
  if (gateway !== undefined) {
    const remote = gateway.client.endpoints().map((status) => `${status.id}${status.state === 'ready' ? '' : ` (${status.state})`}`);
    io.stdout(`accel serve: gateway for the cluster at ${gateway.url}; remote endpoints: ${remote.length === 0 ? 'none yet' : remote.join(', ')}`);
  }

  // Each endpoint's state as it changes (added → loading → ready or failed); a gateway's remote ones too (ready, or failed: no live worker).
  const loads = watchEndpointLoads(() => accel.status(), io);
  const remoteLoads =
    gateway === undefined
      ? undefined
      : watchEndpointLoads(() => gateway.client.endpoints(), io, {
          label: 'remote endpoint',
          // Its state, not its text: a dead endpoint's "last seen" time moves as records are read.
          changed: (status) => `${status.state} ${status.error?.code ?? ''}`,
        });
  void app.loaded.then(() => {
    progress.finish();
    if (signals.stopping()) return;
    loads.report();
    const failed = accel.status().filter((status) => status.state === 'failed');
    io.stdout(failed.length === 0 ? `accel serve: ready (${listening.url}/ready)` : `accel serve: not ready: ${failed.length} endpoint(s) failed to load (see above; /ready answers 503)`);
  });

  const signal = await signals.received;
  loads.stop();
  remoteLoads?.stop();
  io.stderr(`accel serve: ${signal}: draining (new requests get 503; in-flight ones finish; deadline ${shutdownDeadlineMs} ms)`);
  try {
    await app.close({ deadlineMs: shutdownDeadlineMs });
    await closeGateway(gateway);
    await accel.dispose();
    io.stderr('accel serve: stopped');
    return 0;
  } catch (error) {
    io.stderr(`accel serve: error while stopping: ${AccelError.isInstance(error) ? `${error.code}: ` : ''}${messageOf(error)}`);
    return 1;
  } finally {
    signals.release();
  }
}

/** After the server drained: the cluster client stops (aborting what is left), then the connection drains and closes. */
async function closeGateway(gateway: Gateway | undefined): Promise<void> {
  if (gateway === undefined) return;
  await gateway.client.close();
  if (!gateway.connection.isClosed()) await gateway.connection.drain();
}
