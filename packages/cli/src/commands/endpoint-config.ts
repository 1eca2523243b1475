import { readFile } from 'node:fs/promises';
import { Accel, InvalidInputError, type BackendV1, type EndpointStatus, type ModelStoreEvent, type SkillV1 } from '@accel/core';
import type * as ServerPackage from '@accel/server';
import type { EndpointConfig, ServerConfig, ServerEndpointOptions } from '@accel/server';
import { positiveInteger, type FlagTable } from '../command-line.js';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';
import { installedSkills, loadSkill } from '../skill-packages.js';
import { loadBackends } from './run.js';

// What `accel serve` and `accel worker` share: the config file (or the one-endpoint shortcut) with
// the flags applied, the skills and backends it names, the registry built from it, the endpoints'
// load lines, the broker's URL and the stop signals.

/** The flags `accel serve` and `accel worker` share: the config file, the broker, the model cache and threads, and the one-endpoint shortcut. */
export const endpointConfigFlags = {
  config: { type: 'string' },
  nats: { type: 'string' },
  offline: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
  threads: { type: 'string' },
  model: { type: 'string' },
  backend: { type: 'string' },
  dtype: { type: 'string' },
  name: { type: 'string' },
} as const satisfies FlagTable;

/** Help lines `  --flag  text`, the texts aligned at `width` columns from the line's start. */
export function flagHelp(width: number, entries: readonly (readonly [flag: string, text: string])[]): string {
  return entries.map(([flag, text]) => `  ${`--${flag}`.padEnd(width - 2)}${text}\n`).join('');
}

/** The help of the model cache and threads flags (endpointConfigFlags), aligned at `width`. */
export function modelFlagsHelp(width: number): string {
  return flagHelp(width, [
    ['offline', 'never download a missing model (also ACCEL_OFFLINE=1)'],
    ['cache-dir', 'model cache folder (default: $ACCEL_CACHE_DIR or ~/.cache/accel/models)'],
    ['threads', 'intra-op threads all endpoints share (default: all cores)'],
  ]);
}

/** The help of the one-endpoint shortcut's flags (endpointConfigFlags), aligned at `width`; `name` describes --name. */
export function oneEndpointHelp(width: number, name: string): string {
  return `without --config (one endpoint):\n${flagHelp(width, [
    ['model', "hub id or model folder (default: the skill's default model)"],
    ['backend', 'device label (default cpu)'],
    ['dtype', 'fp32 (default), fp16, q8, …'],
    ['name', name],
  ])}`;
}

export type ServerModule = typeof ServerPackage;

export type Values = Record<string, string | boolean | string[] | undefined>;

/** `undefined`, or the flag as an integer in `[min, max]`. */
export function integerFlag(value: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new InvalidInputError({ reason: `--${flag} must be an integer from ${min} to ${max}, got ${value}` });
  return number;
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * The config from `--config` (named in every error) or from the one-endpoint shortcut
 * (`<command> <skill> --model M --backend B --dtype D --name N`); `command` is `accel serve` or
 * `accel worker`, as the messages name it.
 */
export async function readConfig(server: ServerModule, values: Values, skillName: string | undefined, command: string): Promise<{ config: ServerConfig; source: string }> {
  const file = values.config as string | undefined;
  const shortcut = ['model', 'backend', 'dtype', 'name'].filter((flag) => values[flag] !== undefined);
  if (file !== undefined) {
    if (skillName !== undefined) throw new InvalidInputError({ reason: `${command} takes a skill or --config, not both (got ${skillName} and --config ${file})` });
    if (shortcut.length > 0) throw new InvalidInputError({ reason: `--${shortcut[0]} is for ${command} <skill>; with --config, set it in the config's endpoint entry` });
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
  if (skillName === undefined) throw new InvalidInputError({ reason: `${command} needs --config <file> or a skill name, e.g. ${command} sentence-embeddings (${command} --help)` });
  const endpoint = {
    name: (values.name as string | undefined) ?? skillName,
    skill: skillName,
    ...(values.model === undefined ? {} : { model: values.model }),
    ...(values.backend === undefined ? {} : { backend: values.backend }),
    ...(values.dtype === undefined ? {} : { dtype: values.dtype }),
  };
  try {
    return { config: server.parseServerConfig({ endpoints: [endpoint] }), source: `${command} ${skillName}` };
  } catch (error) {
    if (InvalidInputError.isInstance(error)) throw new InvalidInputError({ reason: `--${error.reason.replace(/^endpoints\[0\]\./, '')}`, cause: error });
    throw error;
  }
}

/** The `models` section and `threads` with `--offline`, `--cache-dir` and `--threads` applied (the flags win). */
export function withModelFlags(config: ServerConfig, values: Values): ServerConfig {
  const threads = positiveInteger(values.threads as string | undefined, 'threads');
  const models = {
    ...config.models,
    ...(values.offline === true ? { offline: true } : {}),
    ...(values['cache-dir'] === undefined ? {} : { cacheDirectory: values['cache-dir'] as string }),
  };
  return { ...config, models, ...(threads === undefined ? {} : { threads }) };
}

/**
 * The broker's URL: `--nats`, else `$ACCEL_NATS_URL`, else the config's `cluster.nats`; undefined
 * when none is set.
 */
export function natsUrlOf(config: ServerConfig, values: Values): string | undefined {
  return (values.nats as string | undefined) ?? nonEmpty(process.env.ACCEL_NATS_URL) ?? config.cluster?.nats;
}

export function labelsOf(endpoint: EndpointConfig): string[] {
  return [endpoint.backend ?? 'cpu', ...(endpoint.fallback ?? [])];
}

/** A config entry as `addEndpoint`/server options: the skill object, and the name as `id`. */
export function endpointOptions({ name, skill: _name, ...entry }: EndpointConfig, skill: SkillV1): ServerEndpointOptions & { id?: string } {
  return { ...entry, skill, ...(name === undefined ? {} : { id: name }) };
}

/** Every endpoint's skill, imported from its package: the skill, or why it cannot be loaded. */
export async function loadSkills(config: ServerConfig): Promise<Map<string, SkillV1 | Error>> {
  const skills = new Map<string, SkillV1 | Error>();
  for (const { skill } of config.endpoints) {
    if (skills.has(skill)) continue;
    skills.set(skill, await loadSkill(skill).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
  }
  return skills;
}

/** Throws the first endpoint whose skill cannot be loaded, at its path in the config. */
export function assertSkillsLoaded(config: ServerConfig, skills: Map<string, SkillV1 | Error>, source: string): void {
  for (const [index, endpoint] of config.endpoints.entries()) {
    const skill = skills.get(endpoint.skill);
    if (skill instanceof Error) throw new InvalidInputError({ reason: `${source}: endpoints[${index}].skill: ${messageOf(skill)}`, cause: skill });
  }
}

/**
 * The registry the config describes (its endpoints are not added: the caller adds them): the
 * backends its endpoints' labels need, their skills, the model source with download progress, and
 * `threads`/`workers`. With `anySkill`, every installed skill and backend is registered too (for
 * endpoints added at run time).
 */
export async function createConfigAccel(
  config: ServerConfig,
  skills: Map<string, SkillV1 | Error>,
  onProgress: (event: ModelStoreEvent) => void,
  { anySkill = false }: { anySkill?: boolean } = {},
): Promise<Accel> {
  const labels = [...new Set(config.endpoints.flatMap(labelsOf))];
  const backends: BackendV1[] = await loadBackends(labels, undefined);
  const registeredSkills = config.endpoints.map((endpoint) => skills.get(endpoint.skill) as SkillV1);
  if (anySkill) {
    registeredSkills.push(...(await installedSkills()));
    for (const known of knownBackends) {
      if (backends.some((backend) => backend.name === known.name)) continue;
      const imported = await importKnown<BackendFactory>(known);
      if ('value' in imported) backends.push(imported.value());
    }
  }
  return new Accel({
    backends,
    skills: registeredSkills,
    models: { ...config.models, onProgress },
    ...(config.threads === undefined ? {} : { threads: config.threads }),
    ...(config.workers === undefined ? {} : { workers: config.workers }),
  });
}

export function describeEndpoint(status: EndpointStatus): string {
  if (status.state === 'ready') return `ready on ${status.device}${status.loadMs === undefined ? '' : ` (${(status.loadMs / 1000).toFixed(1)} s)`}${status.fallbacks.length > 0 ? ` after falling back from ${status.fallbacks.map((step) => step.from).join(', ')}` : ''}`;
  if (status.state === 'failed') return `failed: ${status.error?.code ?? 'error'}: ${status.error?.message ?? 'unknown error'}`;
  return status.state;
}

/**
 * Prints each endpoint's state as it changes (added → loading → ready or failed), one line each,
 * failures on stderr; `report()` prints what changed now, `stop()` ends the periodic check.
 * `statuses` is the registry's `status()` (or a cluster's remote endpoints, with `label` `remote endpoint`);
 * a line is printed when `changed(status)` differs from the last one printed (default: when the line would).
 */
export function watchEndpointLoads(
  statuses: () => readonly EndpointStatus[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
  { label = 'endpoint', changed = describeEndpoint }: { label?: string; changed?: (status: EndpointStatus) => string } = {},
): { report(): void; stop(): void } {
  const shown = new Map<string, string>();
  const report = () => {
    for (const status of statuses()) {
      const key = changed(status);
      if (shown.get(status.id) === key) continue;
      shown.set(status.id, key);
      const line = describeEndpoint(status);
      (status.state === 'failed' ? io.stderr : io.stdout)(`${label} ${status.id} (${status.skill}, ${status.model}): ${line}`);
    }
  };
  report();
  const watcher = setInterval(report, 200);
  watcher.unref();
  return { report, stop: () => clearInterval(watcher) };
}

/**
 * SIGTERM and SIGINT, caught from now on: `received` resolves with the first; a second exits the
 * process at once (code 1). `release()` removes the handlers.
 */
export function catchStopSignals(command: string, stderr: (text: string) => void): { received: Promise<NodeJS.Signals>; stopping(): boolean; release(): void } {
  let stopping = false;
  let signalled!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      stderr(`${command}: ${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    signalled(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    received,
    stopping: () => stopping,
    release() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
