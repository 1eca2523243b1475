import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BackendUnavailableError, EndpointNotFoundError, InvalidInputError, type Accel, type EndpointStatus } from '@accel/core';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { WorkerIdentity } from './protocol.js';

/**
 * The cluster's registry, in two JetStream KV buckets:
 *
 * - `accel_workers` (bucket ttl = 3 × heartbeatMs, history 1): one key per live worker, put every
 *   `heartbeatMs`, deleted when the worker stops. nats-server 2.9 has no per-key TTL and sends no
 *   watch event when a key expires, so a gateway judges liveness on its own clock: a worker is live
 *   while the gateway has seen a PUT of its key within the last 3 × the worker's own heartbeatMs
 *   (which its heartbeat carries; no clock of another machine is compared), and gone at once when
 *   its key is deleted.
 * - `accel_endpoints` (no ttl): one key per endpoint name, so that a gateway still knows an endpoint
 *   whose last worker died and answers 503 with the reason instead of 404.
 */

/** KV bucket of worker heartbeats. */
export const workersBucket = 'accel_workers';
/** KV bucket of every endpoint a worker ever served. */
export const endpointsBucket = 'accel_endpoints';
/** Default interval of a worker's heartbeat. */
export const defaultHeartbeatMs = 1000;
/** A worker is dead after this many heartbeat intervals without a PUT seen. */
export const heartbeatsToDeath = 3;

/** An endpoint's status as a heartbeat carries it: core's `EndpointStatus` without the large probe and device info. */
export type RegistryEndpointStatus = Omit<EndpointStatus, 'probe' | 'deviceInfo'>;

/** One endpoint a worker serves, in its heartbeat. */
export interface HeartbeatEndpoint {
  readonly id: string;
  readonly skill: string;
  readonly model: string;
  readonly maxInFlight: number;
  readonly status: RegistryEndpointStatus;
}

/** The value of a worker's key in `accel_workers` (JSON). */
export interface WorkerHeartbeat {
  readonly worker: WorkerIdentity;
  /** ISO time the worker started (its own clock; shown, never compared). */
  readonly startedAt: string;
  readonly endpoints: readonly HeartbeatEndpoint[];
  /** Jobs held (pulled, not yet answered and acked). */
  readonly held: number;
  /** Jobs answered and acked since the worker started. */
  readonly answered: number;
  /** The worker machine's 1, 5 and 15 minute load averages (`os.loadavg()`). */
  readonly load: readonly number[];
  /** True once `stop()` was called: the worker answers what it holds and pulls no more, so it serves nothing new. */
  readonly draining?: boolean;
  /**
   * The worker's heartbeat interval (`startHeartbeat` adds it): a gateway judges this worker dead
   * after 3 × it without a heartbeat. Heartbeats without it (workers of 0.1.x) are judged by the
   * gateway's own interval.
   */
  readonly heartbeatMs?: number;
}

/** The value of an endpoint's key in `accel_endpoints` (JSON). */
export interface EndpointRecord {
  readonly id: string;
  readonly skill: string;
  readonly model: string;
  readonly status: RegistryEndpointStatus;
  /** The worker that last wrote this record. */
  readonly lastWorker: WorkerIdentity;
  /** ISO time of that write (the worker's clock), refreshed at least every 10 heartbeats and when the worker stops. */
  readonly lastSeenAt: string;
}

/** KV keys allow `[-/_=.A-Za-z0-9]`: every other character (and `.`, a token separator) is hex-escaped as `_hh_`. */
export function registryKey(name: string): string {
  return name.replace(/[^A-Za-z0-9-]/g, (char) => `_${char.codePointAt(0)!.toString(16)}_`);
}

/** Whether `heartbeatMs` is a usable interval: a finite number of at least 50 ms. */
function isHeartbeatMs(heartbeatMs: unknown): heartbeatMs is number {
  return typeof heartbeatMs === 'number' && Number.isFinite(heartbeatMs) && heartbeatMs >= 50;
}

function checkHeartbeatMs(heartbeatMs: number): number {
  if (!isHeartbeatMs(heartbeatMs)) throw new InvalidInputError({ reason: `heartbeatMs must be at least 50, got ${heartbeatMs}` });
  return heartbeatMs;
}

/** Opens the worker bucket, creating it with ttl 3 × heartbeatMs if missing; `adjust` also updates an existing bucket's ttl that differs (workers do, gateways don't). */
async function openWorkersBucket(connection: NatsConnection, heartbeatMs: number, adjust: boolean): Promise<{ kv: KV; ttlMs: number }> {
  const ttlMs = heartbeatsToDeath * heartbeatMs;
  const kv = await new Kvm(connection).create(workersBucket, { ttl: ttlMs, history: 1 });
  const status = await kv.status();
  if (status.ttl === ttlMs || !adjust) return { kv, ttlMs: status.ttl };
  const jsm = await jetstreamManager(connection);
  const stream = `KV_${workersBucket}`;
  const { config } = await jsm.streams.info(stream);
  // The duplicate window may not exceed max_age.
  await jsm.streams.update(stream, { ...config, max_age: nanos(ttlMs), duplicate_window: Math.min(config.duplicate_window, nanos(ttlMs)) });
  return { kv, ttlMs };
}

/** The status of each endpoint of a worker's registry, as its heartbeat carries it. */
export function heartbeatEndpoints(accel: Accel, endpoints: readonly { readonly id: string; readonly limit: number }[]): HeartbeatEndpoint[] {
  return endpoints.map(({ id, limit }) => {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { probe, deviceInfo, ...status } = accel.status(id)[0]!;
    return { id, skill: status.skill, model: status.model, maxInFlight: limit, status };
  });
}

export interface HeartbeatOptions {
  /** The worker's connection; the heartbeat does not close it. */
  readonly connection: NatsConnection;
  readonly identity: WorkerIdentity;
  /** Interval of the PUTs, carried in each heartbeat (gateways judge the worker by it). Default 1000 ms. */
  readonly heartbeatMs?: number;
  /** The heartbeat's value, read at each beat. */
  readonly describe: () => Omit<WorkerHeartbeat, 'heartbeatMs'>;
  /** Receives a failed PUT (e.g. while the broker restarts); the next beat tries again. */
  readonly onError?: (error: unknown) => void;
}

export interface Heartbeat {
  /** Puts the heartbeat now (e.g. once the worker starts draining). */
  beat(): Promise<void>;
  /** Stops beating, writes each endpoint's record a last time and deletes the worker's key, so gateways drop the worker at once. */
  stop(): Promise<void>;
}

/**
 * Starts a worker's heartbeat: puts `describe()` under the worker's key in `accel_workers` now
 * (awaited: the worker is registered when this resolves) and every `heartbeatMs`, and writes each
 * endpoint it serves to `accel_endpoints` (on the first beat, when the endpoint's skill, model or
 * state changes, and at least every 10 beats).
 */
export async function startHeartbeat(options: HeartbeatOptions): Promise<Heartbeat> {
  const { connection, identity, describe } = options;
  const heartbeatMs = checkHeartbeatMs(options.heartbeatMs ?? defaultHeartbeatMs);
  const { kv: workers } = await openWorkersBucket(connection, heartbeatMs, true);
  const endpoints = await new Kvm(connection).create(endpointsBucket, { history: 1 });
  const key = registryKey(identity.id);
  const refreshMs = 10 * heartbeatMs;
  const written = new Map<string, { signature: string; at: number }>();
  const timeout = Math.max(1000, 2 * heartbeatMs);

  const writeEndpoints = async (heartbeat: WorkerHeartbeat, force: boolean) => {
    const now = performance.now();
    await Promise.all(
      heartbeat.endpoints.map(async ({ id, skill, model, status }) => {
        const signature = `${skill}\n${model}\n${status.state}`;
        const last = written.get(id);
        if (!force && last !== undefined && last.signature === signature && now - last.at < refreshMs) return;
        const record: EndpointRecord = { id, skill, model, status, lastWorker: identity, lastSeenAt: new Date().toISOString() };
        await endpoints.put(registryKey(id), JSON.stringify(record), { timeout });
        written.set(id, { signature, at: now });
      }),
    );
  };
  const beat = async () => {
    const heartbeat: WorkerHeartbeat = { ...describe(), heartbeatMs };
    await workers.put(key, JSON.stringify(heartbeat), { timeout });
    await writeEndpoints(heartbeat, false);
  };

  await beat();
  let beating: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  const tick = () => {
    if (beating !== undefined || connection.isClosed()) return;
    beating = beat()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (beating = undefined));
  };
  const timer = setInterval(tick, heartbeatMs);
  // A closed connection ends the heartbeat (the worker is gone), so the timer does not keep the process alive.
  void connection.closed().then(() => clearInterval(timer));
  return {
    async beat() {
      await beating;
      await beat();
    },
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await beating;
        if (connection.isClosed()) return;
        await writeEndpoints({ ...describe(), heartbeatMs }, true);
        await workers.delete(key);
      })();
      return stopped;
    },
  };
}

/** One worker, as a gateway sees it. */
export interface ClusterWorkerDescription {
  readonly worker: WorkerIdentity;
  readonly startedAt: string;
  /** False once no heartbeat was seen for 3 × its heartbeatMs (kept a while for this description). */
  readonly live: boolean;
  /** The worker's heartbeat interval, as its heartbeat gives it (else the gateway's). */
  readonly heartbeatMs: number;
  readonly draining: boolean;
  /** When this gateway last saw the worker's heartbeat (this gateway's clock). */
  readonly lastHeartbeat: string;
  readonly sinceHeartbeatMs: number;
  readonly held: number;
  readonly answered: number;
  readonly load: readonly number[];
  readonly endpoints: readonly {
    readonly id: string;
    readonly skill: string;
    readonly model: string;
    readonly maxInFlight: number;
    readonly state: string;
    readonly backend: string;
    readonly device: string;
    readonly queue: EndpointStatus['queue'];
  }[];
}

/** The cluster as a gateway sees it: `GET /v1/accel/status`'s `cluster`. */
export interface ClusterDescription {
  /** The gateway's heartbeat interval, for heartbeats that carry none (workers of 0.1.x); each worker's own is in `workers`. */
  readonly heartbeatMs: number;
  /** 3 × `heartbeatMs`: a worker whose heartbeat carries no interval is dead after this long without one. */
  readonly livenessMs: number;
  readonly workers: readonly ClusterWorkerDescription[];
  readonly endpoints: readonly { readonly id: string; readonly state: string; readonly workers: readonly string[]; readonly error?: { readonly code: string; readonly message: string } }[];
}

export interface RegistryView {
  /** One status per endpoint the cluster knows (live or not), by name. */
  endpoints(): EndpointStatus[];
  /** The live, not draining workers that serve `endpoint`. */
  liveWorkers(endpoint: string): WorkerIdentity[];
  describe(): ClusterDescription;
  /**
   * Resolves when a live worker serves `endpoint`; otherwise re-reads both buckets once (a worker
   * that started a moment ago may not have reached this gateway's watch yet) and rejects with
   * `EndpointNotFoundError` (no worker ever served it) or `BackendUnavailableError` (none live, with the reason).
   */
  require(endpoint: string): Promise<void>;
  close(): Promise<void>;
}

export interface WatchRegistryOptions {
  readonly connection: NatsConnection;
  /**
   * The heartbeat interval of workers whose heartbeats carry none (0.1.x); each newer worker is
   * judged by its own. Default 1000 ms. When the bucket exists, its ttl decides (ttl / 3).
   */
  readonly heartbeatMs?: number;
}

interface SeenWorker {
  heartbeat: WorkerHeartbeat;
  revision: number;
  /** performance.now() of the last PUT seen. */
  seenAt: number;
  seenAtIso: string;
}

/** Longest `require` waits for its re-read of the buckets (the broker may be unreachable). */
const refreshTimeoutMs = 2000;

/**
 * A gateway's in-memory view of the registry, fed by watches on both buckets (PUT and DEL) and
 * read synchronously. Resolves once both buckets were read, so a request right after start is not
 * refused for want of a worker that is there.
 */
export async function watchRegistry(options: WatchRegistryOptions): Promise<RegistryView> {
  const { connection } = options;
  const { kv: workersKv, ttlMs: livenessMs } = await openWorkersBucket(connection, checkHeartbeatMs(options.heartbeatMs ?? defaultHeartbeatMs), false);
  const heartbeatMs = livenessMs / heartbeatsToDeath;
  const endpointsKv = await new Kvm(connection).create(endpointsBucket, { history: 1 });
  const workers = new Map<string, SeenWorker>();
  /** By KV key (`registryKey(endpoint)`). */
  const records = new Map<string, { record: EndpointRecord; revision: number }>();
  /** Per endpoint: the last worker this gateway saw serving it, and when (this gateway's clock). */
  const lastSeen = new Map<string, { worker: WorkerIdentity; at: string }>();
  let closed = false;

  const applyWorker = (entry: KvEntry) => {
    const known = workers.get(entry.key);
    if (known !== undefined && entry.revision <= known.revision) return;
    if (entry.operation !== 'PUT') {
      if (known !== undefined) for (const endpoint of known.heartbeat.endpoints) lastSeen.set(endpoint.id, { worker: known.heartbeat.worker, at: new Date().toISOString() });
      workers.delete(entry.key);
      return;
    }
    let heartbeat: WorkerHeartbeat;
    try {
      heartbeat = entry.json<WorkerHeartbeat>();
    } catch {
      return;
    }
    const seenAtIso = new Date().toISOString();
    workers.set(entry.key, { heartbeat, revision: entry.revision, seenAt: performance.now(), seenAtIso });
    for (const endpoint of heartbeat.endpoints) lastSeen.set(endpoint.id, { worker: heartbeat.worker, at: seenAtIso });
  };
  const applyRecord = (entry: KvEntry) => {
    const known = records.get(entry.key);
    if (known !== undefined && entry.revision <= known.revision) return;
    if (entry.operation !== 'PUT') {
      records.delete(entry.key);
      return;
    }
    try {
      const record = entry.json<EndpointRecord>();
      records.set(entry.key, { record, revision: entry.revision });
    } catch {
      // not ours
    }
  };

  const iterators = new Set<{ stop(): void }>();
  const read = async (kv: KV, apply: (entry: KvEntry) => void) => {
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    const entries = await Promise.all(keys.map((key) => kv.get(key)));
    for (const entry of entries) if (entry !== null) apply(entry);
  };
  /** Watches a bucket's updates; if the watch ends (not closed by us), it is started again and the bucket re-read. */
  const watch = async (kv: KV, apply: (entry: KvEntry) => void) => {
    const iterator = await kv.watch({ include: 'updates' });
    iterators.add(iterator);
    void (async () => {
      try {
        for await (const entry of iterator) apply(entry);
      } catch {
        // the watch ended with an error: started again below
      }
      iterators.delete(iterator);
      const restart = () => {
        if (closed || connection.isClosed()) return;
        watch(kv, apply)
          .then(() => read(kv, apply))
          .catch(() => setTimeout(restart, heartbeatMs).unref());
      };
      setTimeout(restart, heartbeatMs).unref();
    })();
  };
  const readBoth = () => Promise.all([read(workersKv, applyWorker), read(endpointsKv, applyRecord)]).then(() => undefined);

  // Watch first (updates only), then read what is there: nothing falls between the two.
  await Promise.all([watch(workersKv, applyWorker), watch(endpointsKv, applyRecord)]);
  await readBoth();

  /** The worker's own heartbeat interval when its heartbeat carries a sensible one, else the gateway's. */
  const intervalOf = (seen: SeenWorker) => (isHeartbeatMs(seen.heartbeat.heartbeatMs) ? seen.heartbeat.heartbeatMs : heartbeatMs);
  const isLive = (seen: SeenWorker, now: number) => now - seen.seenAt <= heartbeatsToDeath * intervalOf(seen);
  const serving = (endpoint: string, now = performance.now()) =>
    [...workers.values()].filter((seen) => isLive(seen, now) && seen.heartbeat.draining !== true && seen.heartbeat.endpoints.some((served) => served.id === endpoint));

  // Forget workers long dead (their keys have expired on the broker by then), so the map stays small.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [key, seen] of workers) if (now - seen.seenAt > 10 * Math.max(livenessMs, heartbeatsToDeath * intervalOf(seen))) workers.delete(key);
  }, livenessMs);
  sweep.unref();

  const reason = (endpoint: string) => {
    const record = records.get(registryKey(endpoint))?.record;
    const seen = lastSeen.get(endpoint) ?? (record === undefined ? undefined : { worker: record.lastWorker, at: record.lastSeenAt });
    return `no live worker serves endpoint ${endpoint}${seen === undefined ? '' : `; last seen ${seen.at} on worker ${seen.worker.id}`}`;
  };

  const endpointNames = () => {
    const names = new Set<string>();
    for (const { record } of records.values()) names.add(record.id);
    for (const seen of workers.values()) for (const endpoint of seen.heartbeat.endpoints) names.add(endpoint.id);
    return [...names].sort();
  };

  const statusOf = (endpoint: string, now: number): EndpointStatus => {
    const statuses = serving(endpoint, now).map((seen) => seen.heartbeat.endpoints.find((served) => served.id === endpoint)!.status);
    if (statuses.length > 0) {
      const base = statuses.find((status) => status.state === 'ready') ?? statuses[0]!;
      return {
        ...base,
        id: endpoint,
        replicas: statuses.reduce((sum, status) => sum + status.replicas, 0),
        served: statuses.reduce((sum, status) => sum + status.served, 0),
        queue: {
          pending: statuses.reduce((sum, status) => sum + status.queue.pending, 0),
          capacity: statuses.reduce((sum, status) => sum + status.queue.capacity, 0),
          busy: statuses.some((status) => status.queue.busy),
        },
      };
    }
    const last =
      records.get(registryKey(endpoint))?.record.status ??
      [...workers.values()].flatMap((seen) => seen.heartbeat.endpoints).find((served) => served.id === endpoint)!.status;
    return { ...last, id: endpoint, state: 'failed', error: { code: 'ACCEL_BACKEND_UNAVAILABLE', message: reason(endpoint) }, queue: { pending: 0, capacity: 0, busy: false } };
  };

  let refreshing: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  /** One re-read at a time; callers that arrive during one share the next (it starts after they asked). */
  const refresh = (): Promise<void> => {
    if (refreshing === undefined) {
      refreshing = readBoth().finally(() => (refreshing = undefined));
      return refreshing;
    }
    queued ??= refreshing
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return refresh();
      });
    return queued;
  };

  return {
    endpoints() {
      const now = performance.now();
      return endpointNames().map((endpoint) => statusOf(endpoint, now));
    },
    liveWorkers: (endpoint) => serving(endpoint).map((seen) => seen.heartbeat.worker),
    describe() {
      const now = performance.now();
      return {
        heartbeatMs,
        livenessMs,
        workers: [...workers.values()].map((seen) => ({
          worker: seen.heartbeat.worker,
          startedAt: seen.heartbeat.startedAt,
          live: isLive(seen, now),
          heartbeatMs: intervalOf(seen),
          draining: seen.heartbeat.draining === true,
          lastHeartbeat: seen.seenAtIso,
          sinceHeartbeatMs: Math.round(now - seen.seenAt),
          held: seen.heartbeat.held,
          answered: seen.heartbeat.answered,
          load: seen.heartbeat.load,
          endpoints: seen.heartbeat.endpoints.map(({ id, skill, model, maxInFlight, status }) => ({
            id,
            skill,
            model,
            maxInFlight,
            state: status.state,
            backend: status.backend,
            device: status.device,
            queue: status.queue,
          })),
        })),
        endpoints: endpointNames().map((endpoint) => {
          const status = statusOf(endpoint, now);
          return {
            id: endpoint,
            state: status.state,
            workers: serving(endpoint, now).map((seen) => seen.heartbeat.worker.id),
            ...(status.error === undefined ? {} : { error: status.error }),
          };
        }),
      };
    },
    async require(endpoint) {
      if (serving(endpoint).length > 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([refresh().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, refreshTimeoutMs)))]).finally(() => clearTimeout(timer));
      if (serving(endpoint).length > 0) return;
      if (!endpointNames().includes(endpoint)) {
        throw new EndpointNotFoundError({ endpoint, message: `no endpoint ${endpoint} in the cluster: no worker serves it or has served it (KV bucket ${endpointsBucket})` });
      }
      const why = reason(endpoint);
      throw new BackendUnavailableError({ backend: 'cluster', reason: why, message: why });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      for (const iterator of iterators) iterator.stop();
    },
  };
}

/** The 1, 5 and 15 minute load averages of this machine, for a heartbeat. */
export const machineLoad = (): number[] => loadavg().map((value) => Math.round(value * 100) / 100);
