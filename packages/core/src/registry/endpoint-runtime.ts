import type { BackendProbe } from '../backend/v1/backend-probe.js';
import type { BackendV1 } from '../backend/v1/backend-v1.js';
import type { Dtype } from '../backend/v1/dtype.js';
import type { EndpointState, EndpointStatus } from '../endpoint/endpoint-status.js';
import { AccelError } from '../errors/accel-error.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import { InferenceError } from '../errors/inference-error.js';
import { UnsupportedError } from '../errors/unsupported-error.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';
import type { ResolvedModel } from '../model-source/resolved-model.js';
import { BatchQueue } from '../scheduler/batch-queue.js';
import type { LoadedSkillV1 } from '../skill/v1/loaded-skill-v1.js';
import type { SkillV1 } from '../skill/v1/skill-v1.js';

export interface EndpointRuntimeOptions {
  readonly id: string;
  readonly skill: SkillV1;
  readonly model: string;
  readonly backend: BackendV1;
  readonly device: string | undefined;
  readonly dtype: Dtype;
  readonly contextLength: number | undefined;
  readonly maxQueueSize: number;
  readonly maxBatchSize: number;
  readonly batchWaitMs: number;
  readonly models: ModelSourceOptions;
}

function toReportedError(error: unknown): { code: string; message: string } {
  if (AccelError.isInstance(error)) return { code: error.code, message: error.message };
  return { code: 'ACCEL_UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}

/** One endpoint's lifecycle, queue and loaded model. Internal to the registry. */
export class EndpointRuntime {
  state: EndpointState = 'added';
  readonly queue: BatchQueue<unknown, unknown>;
  private loaded: LoadedSkillV1<unknown, unknown> | undefined;
  private loading: Promise<void> | undefined;
  private failure: unknown;
  private probeResult: BackendProbe | undefined;
  private resolvedDevice: string | undefined;
  private resolvedModel: ResolvedModel | undefined;
  private files: string[] = [];
  private runtimeName: string | undefined;
  loadMs: number | undefined;
  /** Requests routed here that wait for the endpoint to load before they can queue. */
  reserved = 0;

  constructor(readonly options: EndpointRuntimeOptions) {
    this.queue = new BatchQueue<unknown, unknown>({
      endpoint: options.id,
      capacity: options.maxQueueSize,
      maxBatchSize: options.maxBatchSize,
      batchWaitMs: options.batchWaitMs,
      run: (items) => this.runBatch(items),
    });
  }

  get id(): string {
    return this.options.id;
  }

  get device(): string {
    return this.resolvedDevice ?? this.options.device ?? this.options.backend.name;
  }

  get model(): ResolvedModel | undefined {
    return this.resolvedModel;
  }

  get modelFiles(): readonly string[] {
    return this.files;
  }

  get runtime(): string | undefined {
    return this.runtimeName;
  }

  /** Loads the model once; later calls share the first call's outcome. A failed load may be retried. */
  init(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.loading === undefined) {
      this.loading = this.load().catch((error: unknown) => {
        this.loading = undefined;
        throw error;
      });
    }
    return this.loading;
  }

  private async load(): Promise<void> {
    const { skill, backend, dtype } = this.options;
    this.state = 'loading';
    const startedAt = performance.now();
    try {
      if (!skill.dtypes.includes(dtype)) {
        throw new UnsupportedError({ feature: `dtype ${dtype} in skill ${skill.name} (supports ${skill.dtypes.join(', ')})` });
      }
      const probe = await backend.probe();
      this.probeResult = probe;
      this.runtimeName = probe.runtime;
      if (!probe.available) {
        throw new BackendUnavailableError({ backend: backend.name, reason: probe.reason ?? 'probe reported unavailable', fix: probe.fix });
      }
      const device = this.options.device ?? probe.devices[0]?.label ?? backend.name;
      if (!probe.devices.some((candidate) => candidate.label === device)) {
        throw new BackendUnavailableError({
          backend: backend.name,
          reason: `no device ${device} (found ${probe.devices.map((candidate) => candidate.label).join(', ') || 'none'})`,
        });
      }
      if (!probe.dtypes.includes(dtype)) {
        throw new UnsupportedError({ feature: `dtype ${dtype} on backend ${backend.name} (supports ${probe.dtypes.join(', ')})` });
      }
      this.resolvedDevice = device;
      const { resolveModelSource } = await import('../model-source/resolve-model-source.js');
      const { createLoadContext } = await import('../model-source/create-load-context.js');
      const model = await resolveModelSource(this.options.model, skill.requiredFiles(dtype), this.options.models);
      this.resolvedModel = model;
      const tracked = createLoadContext({ model, backend, device, dtype, contextLength: this.options.contextLength });
      try {
        this.loaded = await skill.doLoad(tracked.context);
      } catch (error) {
        await Promise.allSettled(tracked.sessions.map((session) => session.release()));
        throw error;
      }
      this.files = tracked.files;
      this.loadMs = performance.now() - startedAt;
      this.failure = undefined;
      this.state = 'ready';
    } catch (error) {
      this.failure = error;
      this.state = 'failed';
      throw error;
    }
  }

  private async runBatch(items: readonly unknown[]) {
    if (this.loaded === undefined) throw new InferenceError({ endpoint: this.id, message: `endpoint ${this.id} is not loaded` });
    try {
      return await this.loaded.run(items);
    } catch (error) {
      if (AccelError.isInstance(error)) throw error;
      const classified = this.options.backend.classifyError?.(error, this.device);
      throw classified ?? new InferenceError({ endpoint: this.id, cause: error, message: `inference failed on endpoint ${this.id}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  /** Rejects queued requests, lets a running batch finish, and releases the model. */
  async dispose(reason: string): Promise<void> {
    this.state = 'removing';
    this.queue.rejectQueued(reason);
    await this.loading?.catch(() => undefined);
    await this.queue.whenIdle();
    const loaded = this.loaded;
    this.loaded = undefined;
    await loaded?.dispose();
  }

  status(): EndpointStatus {
    const { skill, model, backend, dtype } = this.options;
    return {
      id: this.id,
      skill: skill.name,
      model: this.resolvedModel?.id ?? model,
      backend: backend.name,
      device: this.device,
      dtype,
      state: this.state,
      ...(this.state === 'failed' && this.failure !== undefined ? { error: toReportedError(this.failure) } : {}),
      ...(this.resolvedModel ? { modelDirectory: this.resolvedModel.directory } : {}),
      modelFiles: [...this.files],
      ...(this.loadMs === undefined ? {} : { loadMs: this.loadMs }),
      queue: { pending: this.queue.pending, capacity: this.queue.capacity, busy: this.queue.busy },
      served: this.queue.served,
      ...(this.probeResult ? { probe: this.probeResult } : {}),
    };
  }
}
