import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Accel, AccelError, BackendUnavailableError, InvalidInputError, isDtype, type BackendV1, type EndpointStatus, type ModelStoreEvent, type SkillV1 } from '@accel/core';
import { isHubId, ModelStore } from '@accel/core/model-store';
import type * as ServerPackage from '@accel/server';
import type { EndpointConfig, ServerConfig, ServerEndpointOptions } from '@accel/server';
import { globalFlags, parseCommandLine, positiveInteger, type FlagTable } from '../command-line.js';
import type { DownloadProgressOutput } from '../download-progress.js';
import { createDownloadProgress } from '../download-progress.js';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';
import { installedSkills, loadSkill } from '../skill-packages.js';
import { loadBackends } from './run.js';

/** Flags of `accel serve`. */
export const serveFlags = {
  ...globalFlags,
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'api-key': { type: 'string' },
  'admin-key': { type: 'string' },
  'cors-origin': { type: 'string', multiple: true },
  'request-timeout': { type: 'string' },
  'shutdown-deadline': { type: 'string' },
  'metrics-auth': { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
  model: { type: 'string' },
  backend: { type: 'string' },
  dtype: { type: 'string' },
  name: { type: 'string' },
  offline: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
  threads: { type: 'string' },
} as const satisfies FlagTable;

export const serveHelp = `usage:
  accel serve --config accel.json [options]        serve the endpoints a config file lists
  accel serve <skill> [--model M] [--backend B]    serve one endpoint of an installed skill
  accel serve --config accel.json --check          validate the config and exit (0 valid, 1 not): loads and binds nothing

An OpenAI-compatible HTTP server (@accel/server) on this machine's backends. It prints the URL it
bound, each endpoint's load, and warnings. SIGTERM or SIGINT: /ready and new requests answer 503,
requests in flight (streams too) finish, then the models are released and it exits 0; a second
signal exits at once.

config (JSON): { "endpoints": [ { "name": "minilm", "skill": "sentence-embeddings",
  "model": "<folder or hub id>", "backend": "cpu", "lazy": false, …any addEndpoint option } ],
  "server": { "host", "port", "apiKey", "adminKey", "metricsAuth", "cors": { "origin" },
  "limits": { … }, "shutdownDeadlineMs" }, "models": { "cacheDirectory", "offline", … },
  "threads", "workers" }

options (each overrides the config's server section):
  --config            the config file
  --host              address to bind (default 127.0.0.1; elsewhere without a key prints a warning)
  --port              port (default 8080; 0 picks a free one)
  --api-key           bearer key for every route but /health, /ready, /metrics (also $ACCEL_API_KEY)
  --admin-key         turns on POST/DELETE /v1/accel/endpoints behind this key (also $ACCEL_ADMIN_KEY)
  --metrics-auth      require the API key on /metrics too
  --cors-origin       answer cross-origin requests from this origin (repeatable; default: CORS off)
  --request-timeout   milliseconds an inference may take before it is answered 504 (default: none)
  --shutdown-deadline milliseconds draining may take before open connections are closed (default 30000)
  --offline           never download a missing model (also ACCEL_OFFLINE=1)
  --cache-dir         model cache folder (default: $ACCEL_CACHE_DIR or ~/.cache/accel/models)
  --threads           intra-op threads all endpoints share (default: all cores)
  --check             validate: schema, skills installed, backends installed and available, model folders present or hub ids well-formed
  --json              with --check: the report as JSON
without --config (one endpoint):
  --model             hub id or model folder (default: the skill's default model)
  --backend           device label (default cpu)
  --dtype             fp32 (default), fp16, q8, …
  --name              the endpoint's name, what clients send as "model" (default: the skill's name)
`;

export interface ServeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly progress: DownloadProgressOutput;
}

type ServerModule = typeof ServerPackage;

/** `undefined`, or the flag as an integer in `[min, max]`. */
function integerFlag(value: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new InvalidInputError({ reason: `--${flag} must be an integer from ${min} to ${max}, got ${value}` });
  return number;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** The config from `--config` (named in every error) or from the one-endpoint shortcut. */
async function readConfig(server: ServerModule, values: Values, skillName: string | undefined): Promise<{ config: ServerConfig; source: string }> {
  const file = values.config as string | undefined;
  const shortcut = ['model', 'backend', 'dtype', 'name'].filter((flag) => values[flag] !== undefined);
  if (file !== undefined) {
    if (skillName !== undefined) throw new InvalidInputError({ reason: `accel serve takes a skill or --config, not both (got ${skillName} and --config ${file})` });
    if (shortcut.length > 0) throw new InvalidInputError({ reason: `--${shortcut[0]} is for accel serve <skill>; with --config, set it in the config's endpoint entry` });
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new InvalidInputError({ reason: `cannot read config ${file}: ${(error as Error).message}`, cause: error });
    }
    try {
      return { config: server.parseServerConfig(text), source: file };
    } catch (error) {
      if (InvalidInputError.isInstance(error)) throw new InvalidInputError({ reason: `${file}: ${error.reason}`, cause: error });
      throw error;
    }
  }
  if (skillName === undefined) throw new InvalidInputError({ reason: 'accel serve needs --config <file> or a skill name, e.g. accel serve sentence-embeddings (accel serve --help)' });
  const endpoint = {
    name: (values.name as string | undefined) ?? skillName,
    skill: skillName,
    ...(values.model === undefined ? {} : { model: values.model }),
    ...(values.backend === undefined ? {} : { backend: values.backend }),
    ...(values.dtype === undefined ? {} : { dtype: values.dtype }),
  };
  try {
    return { config: server.parseServerConfig({ endpoints: [endpoint] }), source: `accel serve ${skillName}` };
  } catch (error) {
    if (InvalidInputError.isInstance(error)) throw new InvalidInputError({ reason: `--${error.reason.replace(/^endpoints\[0\]\./, '')}`, cause: error });
    throw error;
  }
}

/** The config with the flags and environment applied: flags win, then `ACCEL_API_KEY` / `ACCEL_ADMIN_KEY`, then the file. */
function withFlags(config: ServerConfig, values: Values): ServerConfig {
  const port = integerFlag(values.port as string | undefined, 'port', 0, 65535);
  const requestTimeoutMs = integerFlag(values['request-timeout'] as string | undefined, 'request-timeout', 1);
  const shutdownDeadlineMs = integerFlag(values['shutdown-deadline'] as string | undefined, 'shutdown-deadline', 0);
  const threads = positiveInteger(values.threads as string | undefined, 'threads');
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
    ...(origins === undefined || origins.length === 0 ? {} : { cors: { origin: origins.length === 1 ? origins[0]! : origins } }),
    ...(requestTimeoutMs === undefined ? {} : { limits: { ...config.server.limits, requestTimeoutMs } }),
    ...(shutdownDeadlineMs === undefined ? {} : { shutdownDeadlineMs }),
  };
  const models = {
    ...config.models,
    ...(values.offline === true ? { offline: true } : {}),
    ...(values['cache-dir'] === undefined ? {} : { cacheDirectory: values['cache-dir'] as string }),
  };
  return { ...config, server, models, ...(threads === undefined ? {} : { threads }) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** The backend names a device label needs: `cuda:0` → cuda; `auto` → every known backend. */
function backendNamesOf(label: string): string[] {
  return label === 'auto' ? knownBackends.map((known) => known.name) : [label.split(':')[0]!];
}

function labelsOf(endpoint: EndpointConfig): string[] {
  return [endpoint.backend ?? 'cpu', ...(endpoint.fallback ?? [])];
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
async function checkConfig(config: ServerConfig, skills: Map<string, SkillV1 | Error>): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  if (config.endpoints.length === 0 && config.server.adminKey === undefined) lines.push({ path: 'endpoints', ok: false, message: 'no endpoint to serve (and no adminKey to add one at run time)' });
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

function endpointOptions({ name, skill: _name, ...entry }: EndpointConfig, skill: SkillV1): ServerEndpointOptions & { id?: string } {
  return { ...entry, skill, ...(name === undefined ? {} : { id: name }) };
}

/** Every endpoint's skill, imported from its package: the skill, or why it cannot be loaded. */
async function loadSkills(config: ServerConfig): Promise<Map<string, SkillV1 | Error>> {
  const skills = new Map<string, SkillV1 | Error>();
  for (const { skill } of config.endpoints) {
    if (skills.has(skill)) continue;
    skills.set(skill, await loadSkill(skill).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
  }
  return skills;
}

function describeEndpoint(status: EndpointStatus): string {
  if (status.state === 'ready') return `ready on ${status.device}${status.loadMs === undefined ? '' : ` (${(status.loadMs / 1000).toFixed(1)} s)`}${status.fallbacks.length > 0 ? ` after falling back from ${status.fallbacks.map((step) => step.from).join(', ')}` : ''}`;
  if (status.state === 'failed') return `failed: ${status.error?.code ?? 'error'}: ${status.error?.message ?? 'unknown error'}`;
  return status.state;
}

/**
 * `accel serve`: validates the config, imports the skills and backends it names, serves them with
 * `@accel/server` until SIGTERM or SIGINT, then drains and exits 0. With `--check`, validates only.
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
  const { config: fileConfig, source } = await readConfig(server, values as Values, positionals[1]);
  const config = withFlags(fileConfig, values as Values);
  const skills = await loadSkills(config);

  if (values.check === true) {
    const lines = await checkConfig(config, skills);
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

  for (const [index, endpoint] of config.endpoints.entries()) {
    const skill = skills.get(endpoint.skill);
    if (skill instanceof Error) throw new InvalidInputError({ reason: `${source}: endpoints[${index}].skill: ${messageOf(skill)}`, cause: skill });
  }
  if (config.endpoints.length === 0 && config.server.adminKey === undefined) throw new InvalidInputError({ reason: `${source}: endpoints: no endpoint to serve (and no adminKey to add one at run time)` });
  const labels = [...new Set(config.endpoints.flatMap(labelsOf))];
  const backends = await loadBackends(labels, undefined);
  const registeredSkills = config.endpoints.map((endpoint) => skills.get(endpoint.skill) as SkillV1);
  if (config.server.adminKey !== undefined) {
    // Endpoints added at run time may name any installed skill and backend.
    registeredSkills.push(...(await installedSkills()));
    for (const known of knownBackends) {
      if (backends.some((backend) => backend.name === known.name)) continue;
      const imported = await importKnown<BackendFactory>(known);
      if ('value' in imported) backends.push(imported.value());
    }
  }
  const progress = createDownloadProgress(io.progress);
  const accel = new Accel({
    backends,
    skills: registeredSkills,
    models: { ...config.models, onProgress: (event: ModelStoreEvent) => progress.update(event) },
    ...(config.threads === undefined ? {} : { threads: config.threads }),
    ...(config.workers === undefined ? {} : { workers: config.workers }),
  });
  const { shutdownDeadlineMs = 30_000, ...serverSection } = config.server;
  const logger = { warn: (message: string) => io.stderr(`warning: ${message}`), error: (message: string) => io.stderr(`error: ${message}`) };
  let app: ReturnType<ServerModule['createServer']>;
  try {
    app = server.createServer({
      accel,
      endpoints: config.endpoints.map((endpoint) => {
        const { id, ...options } = endpointOptions(endpoint, skills.get(endpoint.skill) as SkillV1);
        return { ...options, ...(id === undefined ? {} : { name: id }) };
      }),
      ...serverSection,
      logger,
    });
  } catch (error) {
    await accel.dispose();
    throw error;
  }

  // Signals are caught from before the socket is bound, so a SIGTERM at any moment drains.
  let stopping = false;
  let signalled!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.stderr(`accel serve: ${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    signalled(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const stopListening = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };

  let listening: { url: string };
  try {
    listening = await app.listen();
  } catch (error) {
    stopListening();
    await app.close({ deadlineMs: 0 }).catch(() => undefined);
    await accel.dispose();
    throw error;
  }
  io.stdout(`accel serve: listening on ${listening.url}`);
  if (config.server.adminKey !== undefined) io.stdout(`accel serve: admin routes on (POST/DELETE ${listening.url}/v1/accel/endpoints)`);

  // Each endpoint's state as it changes (added → loading → ready or failed).
  const shown = new Map<string, string>();
  const report = () => {
    for (const status of accel.status()) {
      const line = describeEndpoint(status);
      if (shown.get(status.id) === line) continue;
      shown.set(status.id, line);
      (status.state === 'failed' ? io.stderr : io.stdout)(`endpoint ${status.id} (${status.skill}, ${status.model}): ${line}`);
    }
  };
  report();
  const watcher = setInterval(report, 200);
  watcher.unref();
  void app.loaded.then(() => {
    progress.finish();
    if (stopping) return;
    report();
    const failed = accel.status().filter((status) => status.state === 'failed');
    io.stdout(failed.length === 0 ? `accel serve: ready (${listening.url}/ready)` : `accel serve: not ready: ${failed.length} endpoint(s) failed to load (see above; /ready answers 503)`);
  });

  const signal = await received;
  clearInterval(watcher);
  io.stderr(`accel serve: ${signal}: draining (new requests get 503; in-flight ones finish; deadline ${shutdownDeadlineMs} ms)`);
  try {
    await app.close({ deadlineMs: shutdownDeadlineMs });
    await accel.dispose();
    io.stderr('accel serve: stopped');
    return 0;
  } catch (error) {
    io.stderr(`accel serve: error while stopping: ${AccelError.isInstance(error) ? `${error.code}: ` : ''}${messageOf(error)}`);
    return 1;
  } finally {
    stopListening();
  }
}
