import type { BackendV1 } from '../backend/v1/backend-v1.js';
import { isDtype } from '../backend/v1/dtype.js';
import type { AccelOptions, EndpointOptions } from '../endpoint/endpoint-options.js';
import type { EndpointStatus } from '../endpoint/endpoint-status.js';
import { AbortedError } from '../errors/aborted-error.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import { EndpointNotFoundError } from '../errors/endpoint-not-found-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { UnsupportedError } from '../errors/unsupported-error.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';
import type { ModelStore } from '../model-store/model-store.js';
import type { InferResult, Provenance } from '../provenance/provenance.js';
import type { QueuedRequestResult, QueueTicket } from '../scheduler/batch-queue.js';
import { contentId, contentIdSync, hashesSynchronously, preloadContentIdHash } from '../scheduler/content-id.js';
import { nextTurn } from '../scheduler/next-turn.js';
import { memoizeAsync } from '../backend/runtime/memoize-async.js';
import { skillOptionsOf, validateWithSchema } from '../skill/v1/skill-schema.js';
import { skillSource, type PreparedRequest, type SkillInput, type SkillOptions, type SkillOutput, type SkillV1 } from '../skill/v1/skill-v1.js';
import { EndpointRuntime, type BatchContext, type EndpointStage } from './endpoint-runtime.js';
import { TextChannel, type InferStream } from './text-channel.js';
import type { InferCallOptions } from './infer-options.js';
import { onAbort } from './signal-subscribers.js';
import { availableCores } from './available-cores.js';

const defaultQueueSize = 1024;

/** The order `auto` tries backends in. */
export const autoBackendOrder: readonly string[] = ['cuda', 'openvino', 'cpu', 'wasm'];

function parseDeviceLabel(label: string): { backend: string; device: string | undefined } {
  const separator = label.indexOf(':');
  if (separator === -1) return { backend: label, device: undefined };
  return { backend: label.slice(0, separator), device: label };
}

function isWildcard(label: string): boolean {
  return label.endsWith(':*');
}

/** The model store's operations, as `accel.models` offers them. */
export type ModelsApi = { readonly [K in 'pull' | 'list' | 'remove' | 'verify' | 'exportCar' | 'directoryOf' | 'manifestOf']: ModelStore[K] };

/**
 * The endpoint registry: add endpoints (a skill's model on a device), initialise them, send
 * requests, and remove them. Requests to a skill go to its least-loaded healthy endpoint.
 */
export class Accel {
  private readonly backends = new Map<string, BackendV1>();
  private readonly skills = new Map<string, SkillV1>();
  private readonly endpoints = new Map<string, EndpointRuntime>();
  private readonly expansions = new Map<EndpointRuntime, Promise<EndpointRuntime[]>>();
  /** Shareable runs by endpoint and content id, once their id is computed. */
  private readonly inFlight = new Map<string, SharedRequest>();
  /** Each endpoint's shareable runs still in flight, hashed or not yet (see `submit`). */
  private readonly openRuns = new Map<EndpointRuntime, Set<SharedRequest>>();
  private draining: Promise<void> | undefined;
  private readonly modelOptions: ModelSourceOptions;
  private modelStore: Promise<ModelStore> | undefined;
  /** The thread budget and worker count, measured on first use. */
  private readonly resources: () => Promise<{ threads: number | undefined; workers: number }>;

  constructor(options: AccelOptions = {}) {
    for (const backend of options.backends ?? []) this.registerBackend(backend);
    for (const skill of options.skills ?? []) this.registerSkill(skill);
    this.modelOptions = options.models ?? {};
    // Content ids are then computed synchronously (Node), off the path of a lone request (see submit).
    void preloadContentIdHash();
    if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
      throw new InvalidInputError({ reason: `threads must be a positive integer, got ${options.threads}` });
    }
    this.resources = memoizeAsync(async () => {
      const threads = options.threads ?? (await availableCores());
      return { threads, workers: options.workers ?? Math.max(1, Math.min(threads ?? 1, 4)) };
    });
  }

  /**
   * The model store under this registry's `models` options: `pull`, `list`, `remove`, `verify`
   * and `exportCar` on the cache folder endpoints load from (Node only; loaded on first use).
   */
  readonly models: ModelsApi = {
    pull: async (...args) => (await this.store()).pull(...args),
    list: async () => (await this.store()).list(),
    remove: async (id) => (await this.store()).remove(id),
    verify: async (id) => (await this.store()).verify(id),
    exportCar: async (id, output) => (await this.store()).exportCar(id, output),
    directoryOf: async (id) => (await this.store()).directoryOf(id),
    manifestOf: async (id) => (await this.store()).manifestOf(id),
  };

  private store(): Promise<ModelStore> {
    this.modelStore ??= import('../model-store/model-store.js').then(({ ModelStore }) => new ModelStore(this.modelOptions));
    return this.modelStore;
  }

  registerBackend(backend: BackendV1): this {
    this.backends.set(backend.name, backend);
    return this;
  }

  /** The skill registered under this name (by `skills`, `registerSkill` or an endpoint that passed the object), or undefined. */
  skill(name: string): SkillV1 | undefined {
    return this.skills.get(name);
  }

  registerSkill(skill: SkillV1): this {
    this.skills.set(skill.name, skill);
    return this;
  }

  /** Adds an endpoint without loading it. Returns its id. Loading happens in `init` or on first use. */
  addEndpoint(options: EndpointOptions): string {
    const skill = this.resolveSkill(options.skill);
    const label = options.backend ?? 'cpu';
    const stages = this.stagesFor(label, options.fallback ?? []);
    const dtype = options.dtype ?? 'fp32';
    if (!isDtype(dtype)) throw new InvalidInputError({ reason: `unknown dtype ${String(dtype)}` });
    const maxBatchSize = options.maxBatchSize ?? skill.limits.maxBatchSize;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > skill.limits.maxBatchSize) {
      throw new InvalidInputError({ reason: `maxBatchSize must be an integer from 1 to ${skill.limits.maxBatchSize}` });
    }
    const maxQueueSize = options.maxQueueSize ?? defaultQueueSize;
    if (!Number.isInteger(maxQueueSize) || maxQueueSize < 1) throw new InvalidInputError({ reason: 'maxQueueSize must be a positive integer' });
    if (options.contextLength !== undefined && (!Number.isInteger(options.contextLength) || options.contextLength < 1)) {
      throw new InvalidInputError({ reason: 'contextLength must be a positive integer' });
    }
    const replicas = options.replicas ?? 'auto';
    if (replicas !== 'auto' && (!Number.isInteger(replicas) || replicas < 1)) {
      throw new InvalidInputError({ reason: `replicas must be a positive integer or 'auto', got ${String(replicas)}` });
    }
    const isolation =
      options.isolation ?? (workerThreadsExist() && skillSource(skill) !== undefined && stages.every((stage) => stage.backend.source !== undefined) ? 'worker' : 'inline');
    if (replicas !== 'auto' && replicas > 1 && isolation !== 'worker') {
      throw new InvalidInputError({
        reason: `replicas > 1 needs worker isolation; this endpoint runs inline (${options.isolation === 'inline' ? 'as asked' : `skill ${skill.name} or a backend of its chain names no module to load in a worker`})`,
      });
    }
    const id = options.id ?? this.uniqueId(`${skill.name}@${label}`);
    if (this.endpoints.has(id)) throw new InvalidInputError({ reason: `an endpoint named ${id} already exists` });
    this.endpoints.set(
      id,
      new EndpointRuntime({
        id,
        skill,
        model: options.model ?? skill.defaultModel,
        stages,
        dtype,
        contextLength: options.contextLength,
        maxQueueSize,
        maxBatchSize,
        batchWaitMs: options.batchWaitMs ?? 0,
        deduplicate: options.deduplicate ?? true,
        isolation,
        replicas,
        resources: async () => {
          const { threads, workers } = await this.resources();
          return { threads: threads === undefined ? undefined : Math.max(1, Math.floor(threads / Math.max(1, this.endpoints.size))), workers };
        },
        models: this.modelOptions,
        verify: options.verify ?? false,
        preload: options.preload ?? false,
      }),
    );
    const source = skillSource(skill);
    const backendSource = stages[0]?.backend.source;
    if (isolation === 'worker' && source !== undefined && backendSource !== undefined) {
      // The endpoint's worker starts now and imports its modules while the registry probes and
      // resolves the model; a failure here is the load's to report.
      void import('../worker/worker-pool.js').then(({ prewarmWorker }) => prewarmWorker({ skill: source, backend: backendSource })).catch(() => undefined);
    }
    return id;
  }

  /**
   * Loads one endpoint, or every endpoint not yet loaded. With an id, a failure rejects; without
   * one, failures are reported in the returned statuses so one bad endpoint does not hide the rest.
   */
  async init(id?: string): Promise<EndpointStatus[]> {
    if (id !== undefined) {
      const ready = await Promise.all(this.resolve(id).map((endpoint) => this.ready(endpoint)));
      return ready.flat().map((member) => member.status());
    }
    const pending = [...this.endpoints.values()].filter((endpoint) => endpoint.state !== 'ready');
    await Promise.allSettled(pending.map((endpoint) => this.ready(endpoint)));
    return this.status();
  }

  /** Runs one request on the least-loaded healthy endpoint serving the skill. */
  infer<S extends SkillV1>(
    skill: S | string,
    input: SkillInput<S>,
    options?: SkillOptions<S> & InferCallOptions,
  ): Promise<InferResult<SkillOutput<S>>> {
    return this.submit(skill, input, options, undefined);
  }

  /**
   * Runs one request of a text-generating skill and yields its text as it is generated. The
   * stream's `result` resolves with the full output and provenance once generation stops;
   * aborting `signal` stops generation at the next token and rejects both.
   */
  stream<S extends SkillV1>(
    skill: S | string,
    input: SkillInput<S>,
    options?: SkillOptions<S> & InferCallOptions,
  ): InferStream<SkillOutput<S>> {
    const channel = new TextChannel();
    const result = this.submit(skill, input, options, (_item, text) => channel.push(text));
    result.then(
      () => channel.close(),
      (error: unknown) => channel.close(error),
    );
    return Object.assign(channel.iterate(), { result });
  }

  private async submit<S extends SkillV1>(
    skill: S | string,
    input: SkillInput<S>,
    options: (SkillOptions<S> & InferCallOptions) | undefined,
    onText: ((item: number, text: string) => void) | undefined,
  ): Promise<InferResult<SkillOutput<S>>> {
    const startedAt = performance.now();
    const skillName = typeof skill === 'string' ? skill : skill.name;
    let endpoint = options?.endpoint === undefined ? this.pickEndpoint(skillName) : leastLoaded(this.resolve(options.endpoint));
    if (endpoint.options.skill.name !== skillName) {
      throw new UnsupportedError({ feature: `skill ${skillName} on endpoint ${endpoint.id}, which serves ${endpoint.options.skill.name}` });
    }
    const signal = options?.signal;
    if (signal?.aborted) throw new AbortedError({ reason: 'signal aborted before the request started' });
    if (this.draining) throw new AbortedError({ reason: 'the registry is draining and takes no new requests' });
    const endpointSkill = endpoint.options.skill as SkillV1<SkillInput<S>, SkillOutput<S>, SkillOptions<S>>;
    const preparing = prepareRequest(endpointSkill, input, options);
    const prepared = preparing instanceof Promise ? await preparing : preparing;
    const routed = endpoint;
    // The endpoint's fallback steps before this request arrived are not part of its provenance.
    const trailMark = routed.trailLength;
    routed.reserved += 1;
    let id: string | undefined;
    let parts: unknown[] | undefined;
    try {
      if (endpoint.state !== 'ready') endpoint = leastLoaded(await this.readyUnlessAborted(routed, signal));
      if (endpoint.options.deduplicate && onText === undefined) {
        parts = [endpoint.id, prepared.task, prepared.items];
        // Without a synchronous hash (browsers), the id is computed before the request is queued.
        if (!hashesSynchronously()) id = await contentId(...parts);
      }
    } finally {
      routed.reserved -= 1;
    }
    if (signal?.aborted) throw new AbortedError({ reason: 'signal aborted before the request started' });
    let shared: SharedRequest | undefined;
    let deduplicated = false;
    if (parts !== undefined) {
      const open = this.openRuns.get(endpoint);
      if (id === undefined && (open === undefined || open.size === 0)) {
        // Nothing in flight to share with: the request is queued at once and its content id is
        // computed in the next turn, once its batch has gone to the worker, instead of before.
        // A request that arrives meanwhile hashes it on the spot (below), so none is missed.
        shared = this.openRun(endpoint, endpoint.queue.enqueue(prepared.items), parts, undefined);
        const created = shared;
        nextTurn(() => this.hashRun(endpoint, created));
      } else {
        id ??= contentIdSync(...parts)!;
        for (const run of open ?? []) this.hashRun(endpoint, run);
        shared = this.inFlight.get(`${endpoint.id}\u0000${id}`);
        deduplicated = shared !== undefined;
        shared ??= this.openRun(endpoint, endpoint.queue.enqueue(prepared.items), parts, id);
      }
      shared.holders += 1;
    }
    const ticket = shared?.ticket ?? endpoint.queue.enqueue(prepared.items, onText ? { onText } : {});
    const holder = shared;
    const release = (error: Error) => {
      if (holder === undefined) return ticket.cancel(error);
      holder.holders -= 1;
      if (holder.holders === 0) ticket.cancel(error);
    };
    const result = await this.awaitWithLimits(ticket.result, release, signal, options?.timeoutMs);
    const output = endpointSkill.doAssemble(result.values, prepared, options);
    // An endpoint expanded from `…:*` while this request waited was created for it: its whole trail is the request's.
    const provenance = this.provenance(endpoint, prepared.task, result, startedAt, endpoint === routed ? trailMark : 0);
    if (shared !== undefined) id ??= this.hashRun(endpoint, shared);
    return { output, provenance: id === undefined ? provenance : { ...provenance, contentId: id, deduplicated } };
  }

  /** Records a shareable run as open on its endpoint until it settles; with its id, identical requests find it at once. */
  private openRun(endpoint: EndpointRuntime, ticket: QueueTicket<unknown, BatchContext>, parts: readonly unknown[], id: string | undefined): SharedRequest {
    const run: SharedRequest = { ticket, holders: 0, parts, id };
    let open = this.openRuns.get(endpoint);
    if (open === undefined) this.openRuns.set(endpoint, (open = new Set()));
    open.add(run);
    if (id !== undefined) this.inFlight.set(`${endpoint.id}\u0000${id}`, run);
    const close = () => {
      open.delete(run);
      if (open.size === 0 && this.openRuns.get(endpoint) === open) this.openRuns.delete(endpoint);
      if (run.id !== undefined && this.inFlight.get(`${endpoint.id}\u0000${run.id}`) === run) this.inFlight.delete(`${endpoint.id}\u0000${run.id}`);
    };
    ticket.result.then(close, close);
    return run;
  }

  /** A run's content id, computed now if it was not yet; an open run becomes findable by it (unless an identical one already is). */
  private hashRun(endpoint: EndpointRuntime, run: SharedRequest): string {
    if (run.id === undefined) {
      run.id = contentIdSync(...run.parts)!;
      const key = `${endpoint.id}\u0000${run.id}`;
      // Only while it is open (a run that settled is no longer shared).
      if (this.openRuns.get(endpoint)?.has(run) && !this.inFlight.has(key)) this.inFlight.set(key, run);
    }
    return run.id;
  }

  /** The backends registered, in registration order. */
  listBackends(): BackendV1[] {
    return [...this.backends.values()];
  }

  /** Removes an endpoint: queued requests are rejected with `AbortedError`, a running batch finishes. */
  async removeEndpoint(id: string): Promise<void> {
    const members = [...this.endpoints.values()].filter((endpoint) => endpoint.options.group === id);
    if (members.length > 0 && !this.endpoints.has(id)) {
      await Promise.all(members.map((member) => this.removeEndpoint(member.id)));
      return;
    }
    const endpoint = this.endpoint(id);
    this.endpoints.delete(id);
    this.expansions.delete(endpoint);
    await endpoint.dispose(`endpoint ${id} was removed`);
  }

  /**
   * Stops taking requests (new ones get `AbortedError`), lets every queued and running request
   * finish, and resolves when all queues are empty. Endpoints stay loaded; `dispose` releases them.
   */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      for (;;) {
        const busy = [...this.endpoints.values()].filter((endpoint) => endpoint.reserved > 0 || endpoint.queue.pending > 0 || endpoint.queue.busy);
        if (busy.length === 0) return;
        await Promise.all(busy.map((endpoint) => endpoint.queue.whenIdle()));
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    return this.draining;
  }

  /** Removes every endpoint: queued requests are rejected with `AbortedError`, running batches finish. */
  async dispose(): Promise<void> {
    await Promise.all([...this.endpoints.keys()].map((id) => this.removeEndpoint(id)));
  }

  /** A snapshot of every endpoint, or of one. */
  status(id?: string): EndpointStatus[] {
    if (id !== undefined) return this.resolve(id).map((endpoint) => endpoint.status());
    return [...this.endpoints.values()].map((endpoint) => endpoint.status());
  }

  private resolveSkill(skill: SkillV1 | string): SkillV1 {
    if (typeof skill !== 'string') {
      this.registerSkill(skill);
      return skill;
    }
    const found = this.skills.get(skill);
    if (found === undefined) {
      throw new UnsupportedError({
        feature: `skill ${skill}: not registered (registered: ${[...this.skills.keys()].join(', ') || 'none'}); install @accel/skill-${skill} and pass it`,
      });
    }
    return found;
  }

  private endpoint(id: string): EndpointRuntime {
    const endpoint = this.endpoints.get(id);
    if (endpoint === undefined) throw new EndpointNotFoundError({ endpoint: id });
    return endpoint;
  }

  /** The endpoint with this id, or the endpoints expanded from the `…:*` endpoint with this id. */
  private resolve(id: string): EndpointRuntime[] {
    const endpoint = this.endpoints.get(id);
    if (endpoint !== undefined) return [endpoint];
    const members = [...this.endpoints.values()].filter((candidate) => candidate.options.group === id);
    if (members.length === 0) throw new EndpointNotFoundError({ endpoint: id });
    return members;
  }

  private pickEndpoint(skillName: string): EndpointRuntime {
    const candidates = [...this.endpoints.values()].filter(
      (endpoint) => endpoint.options.skill.name === skillName && endpoint.state !== 'removing',
    );
    if (candidates.length === 0) {
      throw new EndpointNotFoundError({ endpoint: skillName, message: `no endpoint serves skill ${skillName}; add one with addEndpoint` });
    }
    const healthy = candidates.filter((endpoint) => endpoint.state !== 'failed');
    return leastLoaded(healthy.length > 0 ? healthy : candidates);
  }

  private stagesFor(label: string, fallback: readonly string[]): EndpointStage[] {
    if (label === 'auto') {
      const stages = autoBackendOrder.flatMap((name) => {
        const backend = this.backends.get(name);
        return backend ? [{ label: name, backend, device: undefined }] : [];
      });
      if (stages.length === 0) {
        throw new BackendUnavailableError({
          backend: 'auto',
          reason: `none of ${autoBackendOrder.join(', ')} is registered`,
          fix: 'npm install @accel/backend-cpu and pass createCpuBackend() in createAccel({ backends: [...] })',
        });
      }
      return [...stages, ...fallback.flatMap((entry) => this.stagesFor(entry, []))];
    }
    const { backend: backendName, device } = parseDeviceLabel(label);
    const backend = this.backends.get(backendName);
    if (backend === undefined) {
      throw new BackendUnavailableError({
        backend: backendName,
        reason: `no backend named ${backendName} is registered (registered: ${[...this.backends.keys()].join(', ') || 'none'})`,
        fix: `npm install @accel/backend-${backendName} and pass it in createAccel({ backends: [...] })`,
      });
    }
    return [{ label, backend, device }, ...fallback.flatMap((entry) => this.stagesFor(entry, []))];
  }

  /**
   * Loads an endpoint and returns the endpoints that serve in its place: itself, or for a
   * `…:*` endpoint, one endpoint per device its backend's probe found.
   */
  /**
   * `ready`, but a request whose signal aborts while its endpoint loads fails then, with
   * `AbortedError`, instead of waiting for the load (its caller is gone: an HTTP client that
   * disconnected); the load goes on for the others.
   */
  private async readyUnlessAborted(endpoint: EndpointRuntime, signal: AbortSignal | undefined): Promise<EndpointRuntime[]> {
    if (signal === undefined) return this.ready(endpoint);
    let unsubscribe: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      unsubscribe = onAbort(signal, () => reject(new AbortedError({ reason: 'signal aborted while the endpoint loaded', cause: signal.reason })));
    });
    try {
      return await Promise.race([this.ready(endpoint), aborted]);
    } finally {
      unsubscribe?.();
    }
  }

  private ready(endpoint: EndpointRuntime): Promise<EndpointRuntime[]> {
    const [first] = endpoint.options.stages;
    if (first === undefined || !isWildcard(first.label)) return endpoint.init().then(() => [endpoint]);
    let expansion = this.expansions.get(endpoint);
    if (expansion === undefined) {
      expansion = this.expand(endpoint, first);
      this.expansions.set(endpoint, expansion);
    }
    return expansion;
  }

  private async expand(placeholder: EndpointRuntime, first: EndpointStage): Promise<EndpointRuntime[]> {
    const probe = await first.backend.probe();
    // Removed while probing: init() rejects with the removal's AbortedError, and no member is created.
    if (placeholder.removed) await placeholder.init();
    const prefix = first.label.slice(0, -1);
    const devices = probe.available ? probe.devices.filter((device) => device.label.startsWith(prefix)) : [];
    if (devices.length === 0) {
      await placeholder.init();
      return [placeholder];
    }
    const rest = placeholder.options.stages.slice(1);
    const members = devices.map((device) => {
      const id = this.uniqueId(`${placeholder.options.skill.name}@${device.label}`);
      const member = new EndpointRuntime({
        ...placeholder.options,
        id,
        group: placeholder.id,
        stages: [{ label: device.label, backend: first.backend, device: device.label }, ...rest],
      });
      this.endpoints.set(id, member);
      return member;
    });
    this.endpoints.delete(placeholder.id);
    const outcomes = await Promise.allSettled(members.map((member) => member.init()));
    const loaded = members.filter((_, index) => outcomes[index]!.status === 'fulfilled');
    if (loaded.length === 0) throw (outcomes[0] as PromiseRejectedResult).reason;
    return loaded;
  }

  private uniqueId(base: string): string {
    if (!this.endpoints.has(base)) return base;
    for (let suffix = 2; ; suffix += 1) if (!this.endpoints.has(`${base}#${suffix}`)) return `${base}#${suffix}`;
  }

  private awaitWithLimits<Result>(
    result: Promise<Result>,
    release: (error: Error) => void,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<Result> {
    if (signal === undefined && timeoutMs === undefined) return result;
    return new Promise<Result>((resolve, reject) => {
      const stop = (error: Error) => {
        cleanup();
        release(error);
        reject(error);
      };
      const aborted = () => stop(new AbortedError({ reason: 'signal aborted', cause: signal?.reason }));
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop(new TimeoutError({ timeoutMs })), timeoutMs);
      const unsubscribe = signal === undefined ? undefined : onAbort(signal, aborted);
      const cleanup = () => {
        unsubscribe?.();
        if (timer !== undefined) clearTimeout(timer);
      };
      result.then(
        (value) => {
          cleanup();
          resolve(value);
        },
        (error: unknown) => {
          cleanup();
          reject(error);
        },
      );
    });
  }

  private provenance(
    endpoint: EndpointRuntime,
    task: string,
    result: QueuedRequestResult<unknown, BatchContext>,
    startedAt: number,
    trailMark: number,
  ): Provenance {
    const { context } = result;
    return {
      endpoint: endpoint.id,
      skill: endpoint.options.skill.name,
      task,
      isolation: context.isolation,
      backend: context.backend,
      device: context.device,
      dtype: endpoint.options.dtype,
      ...(context.runtime ? { runtime: context.runtime } : {}),
      ...(context.threads === undefined ? {} : { threads: context.threads }),
      model: { id: context.model.id, directory: context.model.directory, ...(context.model.revision ? { revision: context.model.revision } : {}), files: context.files },
      batchSizes: result.batchSizes,
      timings: {
        queuedMs: result.queuedMs,
        inferenceMs: result.inferenceMs,
        totalMs: performance.now() - startedAt,
        endpointLoadMs: context.loadMs,
        ...result.timings,
      },
      ...(result.usage === undefined ? {} : { usage: result.usage }),
      fallbacks: context.fallbacks.slice(trailMark),
      notes: result.notes,
    };
  }

}

function workerThreadsExist(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}


/** One queued run that identical requests share, and how many callers still wait on it. */
interface SharedRequest {
  readonly ticket: QueueTicket<unknown, BatchContext>;
  holders: number;
  /** What its content id hashes: the endpoint, the task and the items. */
  readonly parts: readonly unknown[];
  /** Its content id, once computed (a lone request's is computed after its batch has started). */
  id: string | undefined;
}

function endpointLoad(endpoint: EndpointRuntime): number {
  return endpoint.reserved + endpoint.queue.pending + endpoint.queue.runningBatches;
}

function leastLoaded(endpoints: readonly EndpointRuntime[]): EndpointRuntime {
  return endpoints.reduce((best, endpoint) => (endpointLoad(endpoint) < endpointLoad(best) ? endpoint : best));
}

/** Creates an endpoint registry. */
export function createAccel(options?: AccelOptions): Accel {
  return new Accel(options);
}

/**
 * Validates a request with the skill's schemas (when it has them) and splits it. Synchronous
 * schemas keep the whole step in the caller's tick, so requests made together batch together.
 */
function prepareRequest<Input, Options>(skill: SkillV1<Input, unknown, Options>, input: Input, options: object | undefined): PreparedRequest<unknown> | Promise<PreparedRequest<unknown>> {
  const schemas = skill.schemas;
  if (schemas === undefined) return skill.doPrepare(input, options as Options | undefined);
  const validInput = validateWithSchema(schemas.input, input, 'input');
  const validOptions = validateWithSchema(schemas.options, skillOptionsOf(options), 'options');
  if (validInput instanceof Promise || validOptions instanceof Promise) {
    return Promise.all([validInput, validOptions]).then(([parsedInput, parsedOptions]) => skill.doPrepare(parsedInput, parsedOptions));
  }
  return skill.doPrepare(validInput, validOptions);
}
