import type { BackendProbe, DeviceInfo } from '../backend/v1/backend-probe.js';
import type { BackendV1 } from '../backend/v1/backend-v1.js';
import type { Dtype } from '../backend/v1/dtype.js';
import type { EndpointState, EndpointStatus } from '../endpoint/endpoint-status.js';
import { AbortedError } from '../errors/aborted-error.js';
import { AccelError } from '../errors/accel-error.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import { DeviceError } from '../errors/device-error.js';
import { InferenceError } from '../errors/inference-error.js';
import { OutOfMemoryError } from '../errors/out-of-memory-error.js';
import { UnsupportedError } from '../errors/unsupported-error.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';
import type { ResolvedModel } from '../model-source/resolved-model.js';
import type { FallbackStep } from '../provenance/provenance.js';
import { BatchQueue, type BatchRun } from '../scheduler/batch-queue.js';
import type { ItemControl, LoadedSkillV1 } from '../skill/v1/loaded-skill-v1.js';
import { skillSource, type SkillV1 } from '../skill/v1/skill-v1.js';

/** One candidate of an endpoint's chain: a backend and, optionally, a device on it. */
export interface EndpointStage {
  /** The label as the user wrote it: `cuda:0`, `cpu`, `openvino`, `cuda:*`. */
  readonly label: string;
  readonly backend: BackendV1;
  /** A concrete device label, or undefined for the backend's preferred device. */
  readonly device: string | undefined;
}

export interface EndpointRuntimeOptions {
  readonly id: string;
  readonly skill: SkillV1;
  readonly model: string;
  /** Tried in order: at load, and again when a run hits a recoverable fault. */
  readonly stages: readonly EndpointStage[];
  readonly dtype: Dtype;
  readonly contextLength: number | undefined;
  readonly maxQueueSize: number;
  readonly maxBatchSize: number;
  readonly batchWaitMs: number;
  readonly deduplicate: boolean;
  readonly isolation: 'worker' | 'inline';
  /** Copies of the model to load, each in its own worker, at most one per thread of the endpoint's share; `auto`: see `autoReplicas`. */
  readonly replicas: number | 'auto';
  /** The endpoint's share of the registry's thread budget and the pool size, asked when it loads. */
  readonly resources: () => Promise<{ threads: number | undefined; workers: number }>;
  readonly models: ModelSourceOptions;
  /** Hash the model's files against its manifest on load (sizes are always checked). */
  readonly verify: boolean;
  /** Open every session at load, not on the first request that needs it (see `EndpointOptions.preload`). */
  readonly preload: boolean;
  /** Id of the `…:*` endpoint this one was expanded from. */
  readonly group?: string;
}

/** What ran a batch; the registry turns it into the result's provenance. */
export interface BatchContext {
  readonly isolation: 'worker' | 'inline';
  readonly backend: string;
  readonly device: string;
  readonly runtime: string | undefined;
  readonly model: ResolvedModel;
  readonly files: readonly string[];
  readonly loadMs: number;
  /** Threads the batch's sessions ran with: as the backend's sessions report it, else the endpoint's share. */
  readonly threads: number | undefined;
  /** The endpoint's whole trail when the batch ran; a request's own steps are those after its `trailLength` on arrival. */
  readonly fallbacks: readonly FallbackStep[];
}

interface ActiveStage {
  readonly isolation: 'worker' | 'inline';
  /** Intra-op threads of each replica. */
  readonly threads: number | undefined;
  /** Threads the replicas' sessions report running with (inline only), else `threads`. */
  readonly runThreads: number | undefined;
  readonly backend: BackendV1;
  readonly device: string;
  readonly probe: BackendProbe;
  readonly model: ResolvedModel;
  /** Per replica: the files it has loaded, a live list that grows when the skill opens a session on demand. */
  readonly files: readonly (readonly string[])[];
  readonly loadMs: number;
  /** The loaded copies (one unless the endpoint asked for replicas). */
  readonly replicas: readonly LoadedSkillV1<unknown, unknown>[];
  /** Indices of the replicas not running a batch. */
  readonly idle: number[];
  /** Set when a fault moved the endpoint to its next stage: released once its batches finish. */
  retired: boolean;
}

function describeError(error: unknown): { code: string; message: string } {
  if (AccelError.isInstance(error)) return { code: error.code, message: error.message };
  return { code: 'ACCEL_UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}

function isRecoverable(error: unknown): boolean {
  return OutOfMemoryError.isInstance(error) || DeviceError.isInstance(error);
}

/** One endpoint's lifecycle, fallback chain, queue and loaded model. Internal to the registry. */
export class EndpointRuntime {
  state: EndpointState = 'added';
  readonly queue: BatchQueue<unknown, unknown, BatchContext>;
  /** Requests routed here that wait for the endpoint to load before they can queue. */
  reserved = 0;
  private stageIndex = 0;
  private active: ActiveStage | undefined;
  private loading: Promise<void> | undefined;
  private failure: unknown;
  private lastProbe: BackendProbe | undefined;
  private readonly trail: FallbackStep[] = [];
  /** Set by `dispose`: why the endpoint serves no more requests. */
  private removedReason: string | undefined;

  constructor(readonly options: EndpointRuntimeOptions) {
    this.queue = new BatchQueue<unknown, unknown, BatchContext>({
      endpoint: options.id,
      capacity: options.maxQueueSize,
      maxBatchSize: options.maxBatchSize,
      batchWaitMs: options.batchWaitMs,
      run: (items, controls) => this.runBatch(items, controls),
    });
  }

  get id(): string {
    return this.options.id;
  }

  /** The stage that serves now, or the first one not yet tried. */
  private get stage(): EndpointStage {
    return this.options.stages[Math.min(this.stageIndex, this.options.stages.length - 1)]!;
  }

  get device(): string {
    return this.active?.device ?? this.stage.device ?? this.stage.label;
  }

  /** True once `dispose` was called: the endpoint loads and serves nothing more. */
  get removed(): boolean {
    return this.removedReason !== undefined;
  }

  /** Fallback steps taken so far; a request notes it on arrival so its provenance lists only the steps after it. */
  get trailLength(): number {
    return this.trail.length;
  }

  /**
   * Loads the model on the first stage that works; later calls share the outcome. A failed load may be retried.
   * Once the endpoint is removed — also while it loads — this rejects with `AbortedError`.
   */
  init(): Promise<void> {
    if (this.removedReason !== undefined) return Promise.reject(new AbortedError({ reason: this.removedReason }));
    if (this.state === 'ready') return Promise.resolve();
    this.loading ??= this.loadFromStage(this.stageIndex).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadFromStage(first: number): Promise<void> {
    this.throwIfRemoved();
    this.state = 'loading';
    for (let index = first; index < this.options.stages.length; index += 1) {
      const stage = this.options.stages[index]!;
      let loaded: ActiveStage;
      try {
        this.stageIndex = index;
        loaded = await this.loadStage(stage);
      } catch (error) {
        // Removed while loading: the callers waiting for this load get AbortedError, not the load's failure.
        this.throwIfRemoved(error);
        const next = this.options.stages[index + 1];
        if (next === undefined) {
          this.failure = error;
          this.state = 'failed';
          throw error;
        }
        const { code, message } = describeError(error);
        this.trail.push({ from: stage.device ?? stage.label, to: next.label, reason: message, code });
        continue;
      }
      if (this.removedReason !== undefined) {
        await Promise.allSettled(loaded.replicas.map((replica) => replica.dispose()));
        this.throwIfRemoved();
      }
      this.active = loaded;
      this.queue.setRunners(loaded.replicas.length);
      this.failure = undefined;
      this.state = 'ready';
      return;
    }
  }

  private throwIfRemoved(cause?: unknown): void {
    if (this.removedReason !== undefined) throw new AbortedError({ reason: this.removedReason, ...(cause === undefined ? {} : { cause }) });
  }

  private async loadStage(stage: EndpointStage): Promise<ActiveStage> {
    const { skill, dtype } = this.options;
    const { backend } = stage;
    const startedAt = performance.now();
    if (!skill.dtypes.includes(dtype)) {
      throw new UnsupportedError({ feature: `dtype ${dtype} in skill ${skill.name} (supports ${skill.dtypes.join(', ')})` });
    }
    const probe = await backend.probe();
    this.lastProbe = probe;
    if (!probe.available) {
      throw new BackendUnavailableError({ backend: backend.name, reason: probe.reason ?? 'its probe reported it unavailable', fix: probe.fix });
    }
    const device = stage.device ?? probe.devices[0]?.label;
    if (device === undefined || !probe.devices.some((candidate) => candidate.label === device)) {
      throw new BackendUnavailableError({
        backend: backend.name,
        reason: `no device ${device ?? stage.label} (found ${probe.devices.map((candidate) => candidate.label).join(', ') || 'none'})`,
      });
    }
    if (!probe.dtypes.includes(dtype)) {
      throw new UnsupportedError({ feature: `dtype ${dtype} on backend ${backend.name} (supports ${probe.dtypes.join(', ')})` });
    }
    const { resolveModelSource } = await import('../model-source/resolve-model-source.js');
    const model = await resolveModelSource(this.options.model, skill.requiredFiles(dtype), this.options.models, { skill: skill.name, modelTypes: skill.modelTypes }, this.options.verify);
    const { threads: share, workers } = await this.options.resources();
    const { contextLength } = this.options;
    const source = skillSource(skill);
    if (this.options.isolation === 'worker' && source !== undefined && backend.source !== undefined) {
      // Each replica gets at least one of the endpoint's threads, so a smaller share loads fewer copies.
      const wanted = this.options.replicas === 'auto' ? await (await import('./auto-replicas.js')).autoReplicas({ skill, dtype, model, threads: share, workers }) : this.options.replicas;
      const replicas = Math.max(1, Math.min(wanted, share ?? wanted));
      const threads = share === undefined ? undefined : Math.max(1, Math.floor(share / replicas));
      const { workerPool } = await import('../worker/worker-pool.js');
      const { loaded, files } = await workerPool(workers).load(
        {
          type: 'load',
          endpoint: `${this.id}#${Math.random().toString(36).slice(2)}`,
          skill: source,
          backend: backend.source,
          model,
          device,
          dtype,
          contextLength,
          threads,
          preload: this.options.preload,
        },
        replicas,
      );
      return { ...this.stageFields(backend, device, probe, model, files, startedAt), isolation: 'worker', threads, runThreads: threads, replicas: loaded, idle: loaded.map((_, index) => index) };
    }
    const threads = share;
    const { createLoadContext } = await import('../model-source/create-load-context.js');
    const tracked = createLoadContext({ model, backend, device, dtype, contextLength, threads, preload: this.options.preload });
    let loaded: LoadedSkillV1<unknown, unknown>;
    try {
      loaded = await skill.doLoad(tracked.context);
    } catch (error) {
      await Promise.allSettled(tracked.sessions.map((session) => session.release()));
      throw backend.classifyError?.(error, device) ?? error;
    }
    const reported = tracked.sessions.map((session) => session.threads).filter((count): count is number => typeof count === 'number');
    const runThreads = reported.length > 0 ? Math.max(...reported) : threads;
    return { ...this.stageFields(backend, device, probe, model, [tracked.files], startedAt), isolation: 'inline', threads, runThreads, replicas: [loaded], idle: [0] };
  }

  private stageFields(backend: BackendV1, device: string, probe: BackendProbe, model: ResolvedModel, files: readonly (readonly string[])[], startedAt: number) {
    return { backend, device, probe, model, files, loadMs: performance.now() - startedAt, retired: false };
  }

  /** What ran a batch on `replica`, read after the batch: its files include any session the batch opened. */
  private context(active: ActiveStage, replica: number): BatchContext {
    return {
      isolation: active.isolation,
      backend: active.backend.name,
      device: active.device,
      runtime: active.probe.runtime,
      model: active.model,
      files: [...active.files[replica]!],
      loadMs: active.loadMs,
      threads: active.runThreads,
      fallbacks: [...this.trail],
    };
  }

  private classify(error: unknown, active: ActiveStage): Error {
    if (AccelError.isInstance(error)) return error;
    const classified = active.backend.classifyError?.(error, active.device);
    if (classified) return classified;
    const message = error instanceof Error ? error.message : String(error);
    return new InferenceError({ endpoint: this.id, cause: error, message: `inference failed on endpoint ${this.id} (${active.device}): ${message}` });
  }

  /**
   * Runs a batch on a free replica; on out-of-memory or a lost device the endpoint moves to its
   * next stage (once, however many batches hit the fault) and the batch runs again there.
   */
  private async runBatch(items: readonly unknown[], controls: readonly ItemControl[]): Promise<BatchRun<unknown, BatchContext>> {
    for (;;) {
      // A move to the next stage after a fault: wait for it, then retry there.
      if (this.loading) await this.loading;
      const active = this.active;
      this.throwIfRemoved();
      if (active === undefined) throw new InferenceError({ endpoint: this.id, message: `endpoint ${this.id} is not loaded` });
      const replica = active.idle.pop();
      if (replica === undefined) throw new InferenceError({ endpoint: this.id, message: `endpoint ${this.id} has no free replica (a scheduler bug)` });
      try {
        const outcomes = await active.replicas[replica]!.run(items, controls);
        return { outcomes, context: this.context(active, replica) };
      } catch (error) {
        const fault = this.classify(error, active);
        const next = this.options.stages[this.stageIndex + 1];
        if (this.active === active) {
          if (!isRecoverable(fault) || next === undefined) throw fault;
          this.trail.push({ from: active.device, to: next.label, reason: fault.message, code: (fault as AccelError).code });
          this.moveOn(active);
        } else if (this.loading === undefined && this.active === undefined) {
          throw fault;
        }
      } finally {
        active.idle.push(replica);
        if (active.retired && active.idle.length === active.replicas.length) this.release(active);
      }
    }
  }

  /** Leaves a faulted stage for the next one; the old replicas are released once their batches end. */
  private moveOn(active: ActiveStage): void {
    this.active = undefined;
    active.retired = true;
    if (this.removedReason === undefined) this.state = 'loading';
    this.loading = this.loadFromStage(this.stageIndex + 1).finally(() => {
      this.loading = undefined;
    });
    this.loading.catch(() => undefined);
  }

  private release(active: ActiveStage): void {
    for (const replica of active.replicas) void replica.dispose().catch(() => undefined);
  }

  /**
   * Rejects queued requests and those waiting for the endpoint to load with `AbortedError`, refuses
   * new ones, lets a running batch finish, and releases the model.
   */
  async dispose(reason: string): Promise<void> {
    this.removedReason ??= reason;
    this.state = 'removing';
    this.queue.close(reason);
    await this.loading?.catch(() => undefined);
    await this.queue.whenIdle();
    const active = this.active;
    this.active = undefined;
    await Promise.all(active?.replicas.map((replica) => replica.dispose()) ?? []);
  }

  status(): EndpointStatus {
    const { skill, model, dtype, group } = this.options;
    const active = this.active;
    const probe = active?.probe ?? this.lastProbe;
    const deviceInfo: DeviceInfo | undefined = probe?.devices.find((candidate) => candidate.label === this.device);
    return {
      id: this.id,
      skill: skill.name,
      model: active?.model.id ?? model,
      backend: active?.backend.name ?? this.stage.backend.name,
      device: this.device,
      ...(deviceInfo ? { deviceInfo } : {}),
      dtype,
      state: this.state,
      isolation: active?.isolation ?? this.options.isolation,
      ...(active?.threads === undefined ? {} : { threads: active.threads }),
      replicas: active?.replicas.length ?? (this.options.replicas === 'auto' ? 1 : this.options.replicas),
      chain: this.options.stages.map((stage) => stage.label),
      fallbacks: [...this.trail],
      ...(group ? { group } : {}),
      ...(this.state === 'failed' && this.failure !== undefined ? { error: describeError(this.failure) } : {}),
      ...(active ? { modelDirectory: active.model.directory, loadMs: active.loadMs } : {}),
      modelFiles: active ? [...new Set(active.files.flat())] : [],
      queue: { pending: this.queue.pending, capacity: this.queue.capacity, busy: this.queue.busy },
      served: this.queue.served,
      ...(probe ? { probe } : {}),
    };
  }
}
