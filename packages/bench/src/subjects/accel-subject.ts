import { Accel, type BackendV1, type Dtype, type InferResult, type SkillV1 } from '@accel/core';
import type { BenchSubject } from './bench-subject.js';

/** A request as the skill takes it. */
export interface SkillRequest {
  readonly input: unknown;
  readonly options?: Record<string, unknown>;
}

/** Replicas of an accel endpoint, as `EndpointOptions.replicas` takes them: a number, or `auto` (the endpoint's default). */
export type ReplicasSetting = number | 'auto';

/** How the bench configures accel's endpoint (`accel bench --replicas`). */
export interface AccelEndpointSettings {
  readonly replicas: ReplicasSetting;
}

/** What a report says of a run's replicas setting. */
export function describeReplicas(replicas: ReplicasSetting): string {
  return replicas === 'auto'
    ? "replicas: 'auto' (the endpoint's default: one per thread of its share when the model's weights are at most 32 MiB, else one; each cell's notes say how many loaded)"
    : `${replicas} replica${replicas === 1 ? '' : 's'} each (--replicas), the endpoint's threads split between them`;
}

export interface AccelSubjectOptions<Sample> {
  readonly skill: SkillV1;
  readonly backend: BackendV1;
  readonly endpoint: AccelEndpointSettings;
  /** Model folder. */
  readonly model: string;
  /** The weights' dtype (default fp32, the endpoint's default): `q8` loads `onnx/model_quantized.onnx`. */
  readonly dtype?: Dtype;
  readonly samples: readonly Sample[];
  /** The request for these samples; `newTokens` is set for generation. */
  readonly request: (samples: readonly Sample[], newTokens?: number) => SkillRequest;
  /** Tokens a generative skill's output holds; generation is measured only when given. */
  readonly countTokens?: (output: unknown) => number;
  /** Sees the result of every single and batch request (after it is answered, inside the timed span: keep it cheap). */
  readonly observe?: (result: InferResult<unknown>) => void;
}

function pickSamples<Sample>(samples: readonly Sample[], start: number, count: number): Sample[] {
  return Array.from({ length: count }, (_, offset) => samples[(start + offset) % samples.length]!);
}

/**
 * The batches that served single-item requests, from each request's batch size: k requests that
 * report size k were one batch.
 */
export function batchesFormed(requestBatchSizes: readonly number[]): number[] {
  const requests = new Map<number, number>();
  for (const size of requestBatchSizes) requests.set(size, (requests.get(size) ?? 0) + 1);
  return [...requests.entries()]
    .flatMap(([size, count]) => Array.from({ length: Math.max(1, Math.round(count / Math.max(1, size))) }, () => size))
    .sort((left, right) => right - left);
}

/**
 * accel serving the profile's model through one endpoint, with the registry's defaults (worker
 * isolation, batching, deduplication) and the replicas the run asks for (default `auto`, the endpoint's).
 */
export function createAccelSubject<Sample>(options: AccelSubjectOptions<Sample>): BenchSubject {
  const accel = new Accel({ backends: [options.backend], skills: [options.skill] });
  const notes: string[] = [];
  const infer = (request: SkillRequest): Promise<InferResult<unknown>> => accel.infer(options.skill, request.input as never, request.options as never);

  let runtime = options.backend.packageName;

  const subject: BenchSubject = {
    role: 'accel',
    label: 'accel',
    get runtime() {
      return runtime;
    },
    notes,
    async load() {
      accel.addEndpoint({
        skill: options.skill,
        model: options.model,
        backend: options.backend.name,
        replicas: options.endpoint.replicas,
        ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
      });
      const [status] = await accel.init();
      if (status?.state !== 'ready') throw new Error(status?.error?.message ?? 'the endpoint did not load');
      const threads = `${status.threads ?? 'default'} intra-op thread${status.threads === 1 ? '' : 's'}`;
      notes.push(`${status.isolation} isolation, ${status.replicas > 1 ? `${status.replicas} replicas × ${threads}` : threads}`);
      if (options.dtype !== undefined) notes.push(`dtype ${options.dtype}`);
      runtime = status.probe?.runtime ?? runtime;
    },
    async runSingle(index) {
      const result = await infer(options.request(pickSamples(options.samples, index, 1)));
      options.observe?.(result);
    },
    async runBatch(size) {
      const result = await infer(options.request(pickSamples(options.samples, 0, size)));
      options.observe?.(result);
    },
    async runConcurrent(count) {
      const results = await Promise.all(pickSamples(options.samples, 0, count).map((sample) => infer(options.request([sample]))));
      return batchesFormed(results.map(({ provenance }) => provenance.batchSizes[0] ?? 0));
    },
    async dispose() {
      await accel.dispose();
    },
  };
  const countTokens = options.countTokens;
  if (countTokens !== undefined) {
    subject.generate = async (newTokens) => countTokens((await infer(options.request(pickSamples(options.samples, 0, 1), newTokens))).output);
  }
  return subject;
}
