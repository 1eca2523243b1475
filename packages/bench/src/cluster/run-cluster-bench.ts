import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { serialize } from 'node:v8';
import type { ClusterClient, connectToBroker } from '@accel/cluster';
import { Accel, AccelError, type BackendV1, type InferResult, type SkillV1 } from '@accel/core';
import { describeError } from '../describe-error.js';
import { benchSentences } from '../inputs/sentences.js';
import { ensureModel, type ModelSize } from '../model-cache.js';
import { miniLmProfile } from '../profiles/minilm.js';
import type { ProgressOutput } from '../progress-bar.js';
import { describeMachine } from '../runner.js';
import { sampleDurations } from '../sample-durations.js';
import { embeddingOptions } from '../server/embeddings-routes.js';
import { largestDifference, RequestLedger, type Outcome } from '../server/requests.js';
import { percentile } from '../statistics.js';
import type { ClusterBenchResult, ClusterLatencyResult, ClusterThroughputResult, CpuPerRequest, LatencySide, ThroughputSide } from './cluster-bench-result.js';
import { evaluateClusterGoals } from './cluster-goals.js';
import { fullClusterSettings, quickClusterSettings, smokeClusterSettings, type ClusterBenchSettings } from './cluster-settings.js';
import { ForkedWorker } from './forked-worker.js';
import { findNatsServer, machineCpuMilliseconds, startNatsBroker, type NatsBroker } from './nats-broker.js';

export interface ClusterBenchOptions {
  readonly quick: boolean;
  /** Model cache root (the forged models go to `<cacheDirectory>/<owner>/<name>/`). */
  readonly cacheDirectory: string;
  /** `tiny` (tests) forges a tiny MiniLM and samples as little as possible. */
  readonly size: ModelSize;
  /** The command line, for the report. */
  readonly command: string;
  /** The nats-server binary; default: found on PATH, in /usr/sbin or /usr/local/sbin. */
  readonly natsServer?: string;
  readonly log: (message: string) => void;
  readonly progress: ProgressOutput;
}

/** An answer's vector may differ from the in-process one by float noise (batched with other inputs), no more. */
const vectorTolerance = 1e-4;
/** A request unanswered after this long is lost (the client's `TimeoutError`). */
const requestTimeoutMs = 60_000;
const endpoint = 'minilm';

type Embeddings = { embeddings: ArrayLike<number>[] };

function settingsFor(options: ClusterBenchOptions): ClusterBenchSettings {
  if (options.size === 'tiny') return smokeClusterSettings;
  return options.quick ? quickClusterSettings : fullClusterSettings;
}

const packageVersion = (name: string): string => {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

const sleep = (milliseconds: number) => new Promise((done) => setTimeout(done, milliseconds));

/** An error that means the request got no answer: the client's timeout. */
const isLost = (error: unknown) => AccelError.isInstance(error) && error.code === 'ACCEL_TIMEOUT';

/** Checks one answer against the in-process reference vector of its input. */
function check(result: InferResult<unknown>, reference: ArrayLike<number>): Outcome {
  const vector = (result.output as Embeddings).embeddings[0];
  if (vector === undefined) return { kind: 'error', message: 'the answer holds no vector' };
  const difference = largestDifference(vector, reference);
  return difference <= vectorTolerance ? { kind: 'ok' } : { kind: 'error', message: `vector off the in-process one by ${difference}` };
}

const workerOf = (result: InferResult<unknown>) => (result.provenance as { worker?: { id?: string } }).worker?.id;

/**
 * A closed-loop load: `concurrency` slots, each sending its own text again as soon as its last
 * request ended, so that exactly `concurrency` requests are outstanding until `stop()`. Requests
 * that end while `counting` is on are counted (and their latencies kept).
 */
class ClosedLoopLoad {
  counting = false;
  counted = 0;
  readonly latencies: number[] = [];
  readonly byWorker = new Map<string, number>();
  private stopping = false;
  private readonly slots: Promise<void>[];

  constructor(
    concurrency: number,
    send: (slot: number) => Promise<{ outcome: Outcome; worker?: string }>,
    private readonly ledger: RequestLedger,
  ) {
    this.slots = Array.from({ length: concurrency }, async (_, slot) => {
      while (!this.stopping) {
        const startedAt = performance.now();
        const { outcome, worker } = await send(slot);
        const milliseconds = performance.now() - startedAt;
        ledger.record(outcome);
        if (this.counting && outcome.kind === 'ok') {
          this.counted += 1;
          this.latencies.push(milliseconds);
          if (worker !== undefined) this.byWorker.set(worker, (this.byWorker.get(worker) ?? 0) + 1);
        }
        // A failing request must not spin: the failure is counted, the slot waits a little.
        if (outcome.kind !== 'ok') await sleep(50);
      }
    });
  }

  /** Stops sending and waits for the outstanding requests. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots);
  }
}

/** CPU time of every process involved, in milliseconds. */
interface CpuSnapshot {
  readonly gateway: number;
  readonly broker: number | undefined;
  readonly workers: number;
  /** Every process of the machine (/proc/stat). */
  readonly machine: number | undefined;
}

async function cpuSnapshot(broker: NatsBroker, workers: readonly ForkedWorker[]): Promise<CpuSnapshot> {
  const usage = process.cpuUsage();
  const workerMicroseconds = await Promise.all(workers.map((worker) => worker.cpuMicroseconds()));
  return {
    gateway: (usage.user + usage.system) / 1000,
    broker: broker.cpuMilliseconds(),
    workers: workerMicroseconds.reduce((sum, value) => sum + value, 0) / 1000,
    machine: machineCpuMilliseconds(),
  };
}

interface Setup {
  readonly client: ClusterClient;
  readonly skill: SkillV1;
  readonly reference: Accel;
  readonly texts: readonly string[];
  readonly vectors: readonly ArrayLike<number>[];
  readonly broker: NatsBroker;
  /** Worker `a` serves in every measure; `b` only in the 2-worker rounds. */
  readonly a: ForkedWorker;
  readonly b: ForkedWorker;
  readonly settings: ClusterBenchSettings;
  readonly log: (message: string) => void;
}

const clusterInfer = (setup: Setup, text: string) => setup.client.infer(setup.skill, text as never, { ...embeddingOptions, endpoint, timeoutMs: requestTimeoutMs } as never) as Promise<InferResult<unknown>>;

async function measureThroughput(setup: Setup, bPulling: { value: boolean }): Promise<Omit<ClusterThroughputResult, 'description' | 'model' | 'backend' | 'notes'>> {
  const { settings, texts, vectors, log } = setup;
  const send = async (slot: number): Promise<{ outcome: Outcome; worker?: string }> => {
    try {
      const result = await clusterInfer(setup, texts[slot]!);
      return { outcome: check(result, vectors[slot]!), worker: workerOf(result) ?? 'unnamed' };
    } catch (error) {
      return { outcome: { kind: isLost(error) ? 'lost' : 'error', message: describeError(error) } };
    }
  };
  interface Side {
    readonly label: string;
    readonly workers: 1 | 2;
    readonly ledger: RequestLedger;
    readonly rounds: number[];
    readonly otherCores: number[];
    readonly latencies: number[];
    readonly byWorker: Map<string, number>;
    answered: number;
    cpu: { gateway: number; broker: number | undefined; workers: number };
  }
  const side = (workers: 1 | 2): Side => ({
    label: `${workers} worker process${workers === 1 ? '' : 'es'}`,
    workers,
    ledger: new RequestLedger(),
    rounds: [],
    otherCores: [],
    latencies: [],
    byWorker: new Map(),
    answered: 0,
    cpu: { gateway: 0, broker: 0, workers: 0 },
  });
  const sides = [side(1), side(2)];
  for (let round = 0; round < settings.rounds; round += 1) {
    for (let offset = 0; offset < sides.length; offset += 1) {
      const current = sides[(round + offset) % sides.length]!;
      const warm = current.rounds.length === 0;
      log(`  round ${round + 1}/${settings.rounds}: ${settings.concurrency} requests outstanding · ${current.label}`);
      // The second worker pulls only in the 2-worker rounds; paused, it answers what it holds first.
      if (current.workers === 2 && !bPulling.value) {
        await setup.b.resume();
        bPulling.value = true;
      } else if (current.workers === 1 && bPulling.value) {
        await setup.b.pause();
        bPulling.value = false;
      }
      const load = new ClosedLoopLoad(settings.concurrency, send, current.ledger);
      try {
        await sleep((warm ? settings.warmupMs : 0) + settings.rampMs);
        const before = await cpuSnapshot(setup.broker, [setup.a, setup.b]);
        const startedAt = performance.now();
        load.counting = true;
        await sleep(settings.windowMs);
        load.counting = false;
        const seconds = (performance.now() - startedAt) / 1000;
        const after = await cpuSnapshot(setup.broker, [setup.a, setup.b]);
        current.rounds.push(load.counted / seconds);
        // CPU the machine spent beyond the bench's own processes (other users of the cores), in cores.
        if (before.machine !== undefined && after.machine !== undefined && before.broker !== undefined && after.broker !== undefined) {
          const own = after.gateway - before.gateway + (after.broker - before.broker) + (after.workers - before.workers);
          current.otherCores.push(Math.max(0, after.machine - before.machine - own) / 1000 / seconds);
        }
        current.answered += load.counted;
        current.latencies.push(...load.latencies);
        for (const [worker, count] of load.byWorker) current.byWorker.set(worker, (current.byWorker.get(worker) ?? 0) + count);
        current.cpu.gateway += after.gateway - before.gateway;
        current.cpu.workers += after.workers - before.workers;
        current.cpu.broker = before.broker === undefined || after.broker === undefined || current.cpu.broker === undefined ? undefined : current.cpu.broker + after.broker - before.broker;
      } finally {
        await load.stop();
      }
    }
  }
  const summarizeSide = (current: Side): ThroughputSide => {
    if (current.answered === 0) throw new Error(`${current.label}: no request was answered correctly in a counted window (${current.ledger.accounting().examples.join('; ') || 'no error recorded'})`);
    const perRequest = (milliseconds: number) => milliseconds / current.answered;
    const cpu: CpuPerRequest = {
      gateway: perRequest(current.cpu.gateway),
      ...(current.cpu.broker === undefined ? {} : { broker: perRequest(current.cpu.broker) }),
      workers: perRequest(current.cpu.workers),
    };
    return {
      label: current.label,
      workers: current.workers,
      rounds: current.rounds,
      ...(current.otherCores.length === current.rounds.length ? { otherProcessesCores: current.otherCores } : {}),
      itemsPerSecond: percentile(current.rounds, 0.5),
      latency: { p50: percentile(current.latencies, 0.5), p99: percentile(current.latencies, 0.99), samples: current.latencies.length },
      cpuMillisecondsPerRequest: cpu,
      answersByWorker: Object.fromEntries(current.byWorker),
      accounting: current.ledger.accounting(),
    };
  };
  const [one, two] = sides.map(summarizeSide) as [ThroughputSide, ThroughputSide];
  return { status: 'measured', concurrency: settings.concurrency, one, two, ratio: two.itemsPerSecond / one.itemsPerSecond };
}

/**
 * Batch-of-1 latency in pairs: one request in-process and one through `remote`, back to back, in
 * turns (in-process first, then remote first), one at a time, so that a slow moment of the machine
 * hits both sides of a pair. The overhead is reported as the difference of the percentiles and as
 * the median of the pairs' differences.
 */
async function measureLatency(
  setup: Setup,
  remoteLabel: string,
  remote: (text: string) => Promise<Outcome>,
): Promise<Omit<ClusterLatencyResult, 'description' | 'model' | 'backend'>> {
  const { settings, texts, vectors, reference, skill, log } = setup;
  const ledger = new RequestLedger();
  const samples: [number[], number[]] = [[], []];
  const differences: number[] = [];
  let pairs = 0;
  const inProcess = async (text: string, index: number): Promise<Outcome> => {
    const result = (await reference.infer(skill, text as never, { ...embeddingOptions, endpoint } as never)) as InferResult<unknown>;
    return check(result, vectors[index]!);
  };
  const timed = async (run: () => Promise<Outcome>, record: boolean): Promise<number | undefined> => {
    const startedAt = performance.now();
    let outcome: Outcome;
    try {
      outcome = await run();
    } catch (error) {
      outcome = { kind: isLost(error) ? 'lost' : 'error', message: describeError(error) };
    }
    const milliseconds = performance.now() - startedAt;
    if (record) ledger.record(outcome);
    return outcome.kind === 'ok' ? milliseconds : undefined;
  };
  for (let round = 0; round < settings.latencyRounds; round += 1) {
    log(`  round ${round + 1}/${settings.latencyRounds}: batch-of-1 latency, in-process and ${remoteLabel} in turns`);
    let last: Array<number | undefined> = [];
    await sampleDurations(
      async () => {
        pairs += 1;
        const index = pairs % texts.length;
        const text = texts[index]!;
        const order = pairs % 2 === 0 ? [1, 0] : [0, 1];
        last = [];
        for (const side of order) last[side] = await timed(side === 0 ? () => inProcess(text, index) : () => remote(text), side === 1);
      },
      round === 0 ? settings.latencySampling : { ...settings.latencySampling, warmup: 0 },
      () => {
        if (last[0] !== undefined) samples[0].push(last[0]);
        if (last[1] !== undefined) samples[1].push(last[1]);
        if (last[0] !== undefined && last[1] !== undefined) differences.push(last[1] - last[0]);
      },
    );
  }
  if (differences.length === 0) throw new Error(`no pair of requests both succeeded (${ledger.accounting().examples.join('; ') || 'no error recorded'})`);
  const latencySide = (label: string, values: readonly number[]): LatencySide => ({ label, p50: percentile(values, 0.5), p90: percentile(values, 0.9), samples: values.length });
  const inProcessSide = latencySide('accel.infer (in-process)', samples[0]);
  const remoteSide = latencySide(remoteLabel, samples[1]);
  return {
    status: 'measured',
    inProcess: inProcessSide,
    remote: remoteSide,
    p50Difference: remoteSide.p50 - inProcessSide.p50,
    p90Difference: remoteSide.p90 - inProcessSide.p90,
    pairedMedianDifference: percentile(differences, 0.5),
    pairs: differences.length,
    accounting: ledger.accounting(),
  };
}

/** The vector of a `POST /v1/embeddings` answer (`encoding_format: float`). */
function embeddingOf(json: unknown): ArrayLike<number> | undefined {
  const [item] = (json as { data?: Array<{ embedding?: unknown }> }).data ?? [];
  return Array.isArray(item?.embedding) ? (item.embedding as number[]) : undefined;
}

/**
 * The same pairs through `@accel/server` on 127.0.0.1 with the cluster client as its `remote`
 * endpoints and no local one: in-process `accel.infer` against `POST /v1/embeddings`. Skipped
 * when this build of the server does not list the remote endpoint in `GET /v1/models`.
 */
async function measureHttpLatency(setup: Setup): Promise<Omit<ClusterLatencyResult, 'description' | 'model' | 'backend'>> {
  const { createServer } = await import('@accel/server');
  // A gateway as `accel serve --nats` runs one: no local endpoint, the cluster client as its remote endpoints.
  const gateway = new Accel({ backends: [] });
  const server = createServer({
    accel: gateway,
    remote: setup.client,
    skills: [setup.skill],
    port: 0,
    logger: { warn: (message: string) => setup.log(`gateway: ${message}`), error: (message: string) => setup.log(`gateway error: ${message}`) },
  });
  try {
    const { url } = await server.listen();
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data?: Array<{ id?: string }> };
    if (!(models.data ?? []).some((model) => model.id === endpoint)) {
      return { status: 'skipped', reason: `this build of @accel/server does not serve remote endpoints: GET /v1/models did not list ${endpoint} (the remote option of issue 15)` };
    }
    setup.log(`gateway listening on ${url}`);
    return await measureLatency(setup, 'POST /v1/embeddings (HTTP gateway → cluster)', async (text) => {
      const response = await fetch(`${url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: endpoint, input: text, encoding_format: 'float' }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const body = await response.text();
      if (response.status !== 200) return { kind: 'error', message: `${response.status} ${body.slice(0, 200)}` };
      const vector = embeddingOf(JSON.parse(body));
      const index = setup.texts.indexOf(text);
      if (vector === undefined) return { kind: 'error', message: 'the answer holds no embedding' };
      const difference = largestDifference(vector, setup.vectors[index]!);
      return difference <= vectorTolerance ? { kind: 'ok' } : { kind: 'error', message: `vector off the in-process one by ${difference}` };
    });
  } finally {
    await server.close({ deadlineMs: 5000 });
    await gateway.dispose();
  }
}

/** Waits until the client's registry view (the workers' heartbeats) shows the endpoint ready. */
async function untilServed(client: ClusterClient, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!client.endpoints().some((status) => status.id === endpoint && status.state === 'ready')) {
    if (Date.now() > end) throw new Error(`the cluster client saw no live worker serving ${endpoint} within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/**
 * `accel bench --cluster`: nats-server with JetStream on a loopback port, two worker processes
 * (`child_process.fork`), each with MiniLM on the cpu backend at one intra-op thread, and a cluster
 * client in this process (the gateway's library side). Measures (1) items/s under a saturating load
 * of single-text requests with one worker pulling against both, in alternating rounds, and (2)
 * batch-of-1 latency through the cluster against in-process `accel.infer` on an identical endpoint,
 * and (3) the same through `@accel/server` with the client as its remote endpoints. Every answer is
 * checked against the in-process vector of its input. Without nats-server, the whole run is skipped
 * with the reason.
 */
export async function runClusterBench(options: ClusterBenchOptions): Promise<ClusterBenchResult> {
  const startedAt = performance.now();
  const loadAverageStart = loadavg()[0] ?? 0;
  const settings = settingsFor(options);
  const { log } = options;
  const versions: Record<string, string> = { node: process.version, '@accel/cluster': packageVersion('@accel/cluster'), '@accel/server': packageVersion('@accel/server') };
  const base = { model: miniLmProfile.model, backend: 'cpu' };
  const throughputBase = {
    ...base,
    description: `${settings.concurrency} single-text requests kept outstanding (each answered one replaced at once) through one cluster client, for ${settings.windowMs / 1000} s per round after a ${settings.rampMs / 1000} s ramp; 1 worker process pulling against 2, in alternating rounds`,
  };
  const latencyBase = { ...base, description: 'one single-text request at a time: in-process accel.infer against the cluster client → nats-server → 1 worker process, on identical endpoints (cpu, 1 intra-op thread), in pairs run back to back in turns' };
  const httpBase = { ...base, description: 'as above, but the remote side is POST /v1/embeddings on @accel/server (127.0.0.1) whose remote endpoints are the cluster client' };
  const finish = (parts: Pick<ClusterBenchResult, 'throughput' | 'latency' | 'httpLatency'> & Partial<Pick<ClusterBenchResult, 'skipped' | 'payloadBytes'>>): ClusterBenchResult => ({
    kind: 'cluster',
    generatedAt: new Date().toISOString(),
    command: options.command,
    mode: settings.mode,
    modelSize: options.size,
    machine: describeMachine(loadAverageStart),
    versions,
    durationSeconds: (performance.now() - startedAt) / 1000,
    ...parts,
    goals: evaluateClusterGoals(parts),
  });
  const skipAll = (reason: string) =>
    finish({ skipped: reason, throughput: { ...throughputBase, status: 'skipped', reason }, latency: { ...latencyBase, status: 'skipped', reason }, httpLatency: { ...httpBase, status: 'skipped', reason } });

  const binary = options.natsServer ?? findNatsServer();
  if (binary === undefined || !existsSync(binary)) {
    return skipAll(`nats-server not found (${binary === undefined ? 'looked on PATH, in /usr/sbin and /usr/local/sbin' : `no file ${binary}`}); Debian/Ubuntu: apt-get install nats-server`);
  }
  let backend: BackendV1;
  try {
    const { createCpuBackend } = await import('@accel/backend-cpu');
    backend = createCpuBackend({ threads: 1 });
    const probe = await backend.probe();
    if (!probe.available) return skipAll(`the cpu backend is unavailable: ${probe.reason ?? 'no reason given'}`);
    versions.cpu = probe.runtime ?? 'unknown';
  } catch (error) {
    return skipAll(`could not load the cpu backend: ${describeError(error)}`);
  }

  const reference = new Accel({ backends: [backend], threads: 1 });
  const workers: ForkedWorker[] = [];
  let broker: NatsBroker | undefined;
  let client: ClusterClient | undefined;
  let connection: Awaited<ReturnType<typeof connectToBroker>> | undefined;
  try {
    const skill = await miniLmProfile.skill.load();
    const { directory: model } = await ensureModel(miniLmProfile.model, resolve(options.cacheDirectory), options.size, options.progress);
    const running = await startNatsBroker(binary);
    broker = running;
    versions['nats-server'] = running.version;
    log(`nats-server ${running.version} on ${running.url}`);
    reference.addEndpoint({ id: endpoint, skill, model, backend: 'cpu', maxBatchSize: settings.maxBatchSize });
    const [status] = await reference.init(endpoint);
    if (status?.state !== 'ready') throw new Error(status?.error?.message ?? 'the in-process MiniLM endpoint did not load');
    log('starting 2 worker processes');
    const started = await Promise.all(
      ['a', 'b'].map((name) => ForkedWorker.start({ natsUrl: running.url, model, endpoint, maxBatchSize: settings.maxBatchSize, maxInFlight: settings.maxInFlight, id: `bench-worker-${name}` })),
    );
    workers.push(...started.map(({ worker }) => worker));
    const [a, b] = workers as [ForkedWorker, ForkedWorker];
    const loaded = started[0]!.loaded;
    const notes = [
      `each worker process: cpu backend, ${loaded.isolation} isolation, ${loaded.threads ?? 'default'} intra-op thread${loaded.threads === 1 ? '' : 's'}, maxBatchSize ${settings.maxBatchSize}, holds at most ${settings.maxInFlight} jobs (one batch running, the next one forming)`,
      `the bench process (cluster client and load), nats-server and the worker processes share the machine's ${describeMachine(loadAverageStart).cores} cores`,
    ];
    await a.resume();
    const cluster = await import('@accel/cluster');
    connection = await cluster.connectToBroker(running.url, { name: 'accel bench gateway' });
    client = await cluster.createClusterClient({ connection, timeoutMs: requestTimeoutMs });
    await untilServed(client, 30_000);
    const texts = benchSentences(settings.concurrency);
    const vectors: ArrayLike<number>[] = [];
    for (const text of texts) vectors.push(((await reference.infer(skill, text as never, { ...embeddingOptions, endpoint } as never)) as InferResult<Embeddings>).output.embeddings[0]!);
    const setup: Setup = { client, skill, reference, texts, vectors, broker: running, a, b, settings, log };
    const first = await clusterInfer(setup, texts[0]!);
    const payloadBytes = { request: serialize({ input: texts[0], options: embeddingOptions }).byteLength, answer: serialize({ output: first.output, provenance: first.provenance }).byteLength };
    if (settings.settleMs > 0) await sleep(settings.settleMs);

    const bPulling = { value: false };
    let throughput: ClusterThroughputResult;
    try {
      log(`${miniLmProfile.id}: 1 worker against 2 workers`);
      throughput = { ...throughputBase, notes, ...(await measureThroughput(setup, bPulling)) };
    } catch (error) {
      throughput = { ...throughputBase, notes, status: 'failed', reason: describeError(error) };
    }
    if (bPulling.value) await b.pause();
    let latency: ClusterLatencyResult;
    try {
      log(`${miniLmProfile.id}: batch-of-1 latency, in-process against the cluster`);
      latency = { ...latencyBase, ...(await measureLatency(setup, 'cluster client → nats-server → worker', async (text) => check(await clusterInfer(setup, text), vectors[texts.indexOf(text)]!))) };
    } catch (error) {
      latency = { ...latencyBase, status: 'failed', reason: describeError(error) };
    }
    let httpLatency: ClusterLatencyResult;
    try {
      log(`${miniLmProfile.id}: batch-of-1 latency, in-process against the HTTP gateway`);
      httpLatency = { ...httpBase, ...(await measureHttpLatency(setup)) };
    } catch (error) {
      httpLatency = { ...httpBase, status: 'failed', reason: describeError(error) };
    }
    return finish({ payloadBytes, throughput, latency, httpLatency });
  } catch (error) {
    const reason = describeError(error);
    return finish({
      throughput: { ...throughputBase, status: 'failed', reason },
      latency: { ...latencyBase, status: 'failed', reason },
      httpLatency: { ...httpBase, status: 'failed', reason },
    });
  } finally {
    await client?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await Promise.all(workers.map((worker) => worker.close().catch(() => undefined)));
    await reference.dispose();
    await broker?.stop();
  }
}
