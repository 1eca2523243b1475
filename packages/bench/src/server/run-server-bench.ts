import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Accel, type InferResult, type SkillV1 } from '@accel/core';
import { loadCpuBackend } from '../backends.js';
import { fullServerSettings, quickServerSettings, smokeServerSettings, type ServerBenchSettings } from '../bench-settings.js';
import { describeError } from '../describe-error.js';
import { benchSentences } from '../inputs/sentences.js';
import { ensureModel, type ModelSize } from '../model-cache.js';
import { gpt2Profile } from '../profiles/gpt2.js';
import { miniLmProfile } from '../profiles/minilm.js';
import { benchPrompt } from '../profiles/text-generation-profile.js';
import type { ProgressOutput } from '../progress-bar.js';
import { describeMachine } from '../runner.js';
import type { SamplingPlan } from '../sample-durations.js';
import { sampleDurations } from '../sample-durations.js';
import { percentile, summarize } from '../statistics.js';
import { batchesFormed, type ReplicasSetting } from '../subjects/accel-subject.js';
import { embeddingOptions, embeddingsRoute, type EmbeddingsRoute } from './embeddings-routes.js';
import { HttpClients } from './http-clients.js';
import { isMissingRoute, largestDifference, readErrorAnswer, readServerSentEvents, RequestLedger, sendBurst, type ErrorAnswer, type Outcome } from './requests.js';
import type { ConcurrentSide, FirstTokenSide, ServerBenchResult, ServerEmbeddingsResult, ServerStreamingResult } from './server-bench-result.js';
import { evaluateServerGoals } from './server-goals.js';

export interface ServerBenchOptions {
  readonly quick: boolean;
  /** Model cache root (the forged models go to `<cacheDirectory>/<owner>/<name>/`). */
  readonly cacheDirectory: string;
  /** `tiny` (tests) forges tiny models and samples as little as possible. */
  readonly size: ModelSize;
  /** The command line, for the report. */
  readonly command: string;
  /** Replicas of each accel endpoint (`--replicas`); default `auto`, the endpoint's default. */
  readonly replicas?: ReplicasSetting;
  readonly log: (message: string) => void;
  readonly progress: ProgressOutput;
}

/** An answer's vector may differ from the in-process one by float noise (batched with other inputs, padded to other lengths), no more. */
const vectorTolerance = 1e-4;
/** A request unanswered after this long is lost. */
const requestTimeoutMs = 120_000;
const miniLmEndpoint = 'minilm';
const gpt2Endpoint = 'gpt2';

function settingsFor(options: ServerBenchOptions): ServerBenchSettings {
  if (options.size === 'tiny') return smokeServerSettings;
  return options.quick ? quickServerSettings : fullServerSettings;
}

const serverVersion = (): string => {
  try {
    return (createRequire(import.meta.url)('@accel/server/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

const postJson = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });

/** POSTs `body` and reads the answer when it is not a success; undefined for a success (its body is discarded). */
async function refusal(url: string, body: unknown): Promise<ErrorAnswer | undefined> {
  const response = await postJson(url, body);
  if (response.status === 200) {
    await response.body?.cancel();
    return undefined;
  }
  return readErrorAnswer(response);
}

/** Runs `operation` per `plan` (warm-up only when `warm`); `take` moves what the last timed run produced into the results. */
async function sampleRound(operation: () => Promise<void>, plan: SamplingPlan, warm: boolean, take: () => void): Promise<number[]> {
  return sampleDurations(operation, warm ? plan : { ...plan, warmup: 0 }, take);
}

/**
 * `POST /v1/embeddings` when this build of the server has it and the skill serves it; otherwise
 * the native route, with the reason in the report. Any other refusal is a failure.
 */
async function chooseEmbeddingsRoute(url: string, text: string): Promise<{ route: EmbeddingsRoute; note?: string }> {
  const openAi = embeddingsRoute('openai', miniLmEndpoint);
  const refused = await refusal(`${url}${openAi.path}`, openAi.body(text));
  if (refused === undefined) return { route: openAi };
  const native = embeddingsRoute('native', miniLmEndpoint);
  if (isMissingRoute(refused)) return { route: native, note: 'POST /v1/embeddings is not in this build of @accel/server (404 not_found), so the clients called the native route' };
  if (refused.status === 400 && refused.code === 'model_not_supported') {
    return { route: native, note: `POST /v1/embeddings refused the MiniLM endpoint (${refused.line}), so the clients called the native route` };
  }
  throw new Error(`POST /v1/embeddings answered ${refused.line}`);
}

/** The MiniLM endpoint's `accel_batch_size` histogram sum and count from the server's `/metrics`. */
async function batchSizeTotals(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (series: string) => {
    const line = text.split('\n').find((entry) => entry.startsWith(`${series}{endpoint="${miniLmEndpoint}"} `));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { sum: read('accel_batch_size_sum'), count: read('accel_batch_size_count') };
}

interface Side<Sample> {
  readonly label: string;
  readonly samples: Sample[];
  readonly timed: number[];
}


/** Alternates the sides for `rounds` rounds, each round starting with the next side; `run(side, warm)` measures one side for one round. */
async function alternate<S>(sides: readonly S[], rounds: number, run: (side: S, warm: boolean, round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    for (let offset = 0; offset < sides.length; offset += 1) await run(sides[(round + offset) % sides.length]!, round === 0, round);
  }
}

async function measureEmbeddings(accel: Accel, skill: SkillV1, url: string, settings: ServerBenchSettings, log: (message: string) => void): Promise<Omit<ServerEmbeddingsResult, 'description' | 'model' | 'backend'>> {
  const count = settings.concurrentRequests;
  const texts = benchSentences(count);
  const infer = (text: string) => accel.infer(skill, text as never, { ...embeddingOptions, endpoint: miniLmEndpoint } as never) as Promise<InferResult<{ embeddings: Float32Array[] }>>;
  // The reference vectors: one burst of the in-process workload, before anything is timed.
  const reference = (await Promise.all(texts.map(infer))).map((result) => result.output.embeddings[0]!);
  const { route, note } = await chooseEmbeddingsRoute(url, texts[0]!);
  log(`  HTTP clients call ${route.label}`);

  const batchSizes: number[] = Array.from({ length: count }, () => 0);
  const sendInProcess = async (index: number): Promise<Outcome> => {
    const result = await infer(texts[index]!);
    batchSizes[index] = result.provenance.batchSizes[0] ?? 0;
    inProcess.batched.sum += batchSizes[index];
    inProcess.batched.count += 1;
    const difference = largestDifference(result.output.embeddings[0] ?? [], reference[index]!);
    return difference <= vectorTolerance ? { kind: 'ok' } : { kind: 'error', message: `vector off the reference by ${difference}` };
  };
  const clients = HttpClients.start({ url, route: route.kind, endpoint: miniLmEndpoint, texts, reference, tolerance: vectorTolerance, timeoutMs: requestTimeoutMs });
  interface Measured extends Side<number> {
    readonly ledger: RequestLedger;
    /** Process CPU time (every thread: the event loop, the client thread, inference) while this side ran, and the requests it sent meanwhile. */
    cpuMicroseconds: number;
    cpuRequests: number;
    /** Time the main thread's event loop (accel's scheduling, and the server) and the client thread's were busy while this side ran. */
    loopMilliseconds: number;
    clientLoopMilliseconds: number;
    /** The sizes of the batches its requests ran in, summed, and how many were counted. */
    readonly batched: { sum: number; count: number };
    burst(): Promise<number[]>;
  }
  const inProcess: Measured = {
    label: 'accel.infer (in-process)',
    ledger: new RequestLedger(),
    samples: [],
    timed: [],
    cpuMicroseconds: 0,
    cpuRequests: 0,
    loopMilliseconds: 0,
    clientLoopMilliseconds: 0,
    batched: { sum: 0, count: 0 },
    burst: () => sendBurst(count, sendInProcess, inProcess.ledger),
  };
  const http: Measured = {
    label: `${route.label} (HTTP, loopback)`,
    ledger: new RequestLedger(),
    samples: [],
    timed: [],
    cpuMicroseconds: 0,
    cpuRequests: 0,
    loopMilliseconds: 0,
    clientLoopMilliseconds: 0,
    batched: { sum: 0, count: 0 },
    async burst() {
      const report = await clients.burst();
      for (const outcome of report.outcomes) http.ledger.record(outcome);
      return [...report.latencies];
    },
  };
  try {
    await alternate([inProcess, http], settings.rounds, async (side, warm, round) => {
      log(`  round ${round + 1}/${settings.rounds}: ${count} concurrent singles · ${side.label}`);
      let last: number[] = [];
      // The server's accel_batch_size histogram says which batches the HTTP requests ran in.
      const batchesBefore = side === http ? await batchSizeTotals(url) : undefined;
      const cpuBefore = process.cpuUsage();
      const loopBefore = performance.eventLoopUtilization();
      const clientLoopBefore = side === http ? clients.eventLoopUtilization() : undefined;
      const sentBefore = side.ledger.accounting().sent;
      const bursts = await sampleRound(
        async () => {
          last = await side.burst();
        },
        settings.sampling,
        warm,
        () => side.samples.push(...last),
      );
      side.timed.push(...bursts);
      const cpu = process.cpuUsage(cpuBefore);
      side.loopMilliseconds += performance.eventLoopUtilization(loopBefore).active;
      if (clientLoopBefore !== undefined) side.clientLoopMilliseconds += clients.eventLoopUtilization(clientLoopBefore).active;
      side.cpuMicroseconds += cpu.user + cpu.system;
      side.cpuRequests += side.ledger.accounting().sent - sentBefore;
      if (batchesBefore !== undefined) {
        const batchesAfter = await batchSizeTotals(url);
        side.batched.sum += batchesAfter.sum - batchesBefore.sum;
        side.batched.count += batchesAfter.count - batchesBefore.count;
      }
    });
  } finally {
    await clients.close();
  }
  const summarizeSide = (side: Measured): ConcurrentSide => {
    const burstMilliseconds = summarize(side.timed);
    return {
      label: side.label,
      burstMilliseconds,
      itemsPerSecond: (count * 1000) / burstMilliseconds.median,
      latency: { p50: percentile(side.samples, 0.5), p99: percentile(side.samples, 0.99), samples: side.samples.length },
      cpuMillisecondsPerRequest: side.cpuMicroseconds / 1000 / Math.max(1, side.cpuRequests),
      mainLoopMillisecondsPerRequest: side.loopMilliseconds / Math.max(1, side.cpuRequests),
      ...(side === http ? { clientLoopMillisecondsPerRequest: side.clientLoopMilliseconds / Math.max(1, side.cpuRequests) } : {}),
      ...(side.batched.count > 0 ? { meanBatchSize: side.batched.sum / side.batched.count } : {}),
      accounting: side.ledger.accounting(),
    };
  };
  const [inProcessResult, httpResult] = [summarizeSide(inProcess), summarizeSide(http)];
  return {
    status: 'measured',
    route: route.label,
    ...(note === undefined ? {} : { routeNote: note }),
    requests: count,
    inProcess: inProcessResult,
    http: httpResult,
    throughputRatio: httpResult.itemsPerSecond / inProcessResult.itemsPerSecond,
    inProcessBatchSizes: batchesFormed(batchSizes),
  };
}

/** The text of a completion or chat chunk: `choices[0].text` or `choices[0].delta.content`. */
function chunkText(data: string): string {
  const chunk = JSON.parse(data) as { error?: { message?: string; code?: string }; choices?: Array<{ text?: string; delta?: { content?: string } }> };
  if (chunk.error !== undefined) throw new Error(`error event in the stream: ${chunk.error.code ?? ''} ${chunk.error.message ?? ''}`);
  const [choice] = chunk.choices ?? [];
  return choice?.text ?? choice?.delta?.content ?? '';
}

async function measureStreaming(
  accel: Accel,
  skill: SkillV1,
  url: string,
  settings: ServerBenchSettings,
  log: (message: string) => void,
): Promise<Omit<ServerStreamingResult, 'description' | 'model' | 'backend'>> {
  const route = '/v1/completions';
  const tokens = settings.streamTokens;
  const capability = skill.capabilities?.generate;
  // What the route asks the skill for, through the skill's own mapping; the profile's request without one.
  const request = capability?.completion
    ? capability.request({ prompt: benchPrompt, maxNewTokens: tokens, temperature: 0 })
    : { input: benchPrompt, options: { maxNewTokens: tokens } };
  const body = { model: gpt2Endpoint, prompt: benchPrompt, max_tokens: tokens, temperature: 0, stream: true };

  const inProcess = async (): Promise<number | undefined> => {
    const startedAt = performance.now();
    const stream = accel.stream(skill, request.input as never, { ...(request.options as object), endpoint: gpt2Endpoint } as never);
    let first: number | undefined;
    for await (const piece of stream) if (first === undefined && piece.length > 0) first = performance.now() - startedAt;
    await stream.result;
    return first;
  };
  const overHttp = async (): Promise<number | undefined> => {
    const startedAt = performance.now();
    const response = await postJson(`${url}${route}`, body, AbortSignal.timeout(requestTimeoutMs));
    if (response.status !== 200 || response.body === null) throw new Error(`POST ${route} answered ${(await readErrorAnswer(response)).line}`);
    if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) throw new Error(`POST ${route} with stream: true answered ${response.headers.get('content-type')}, not text/event-stream`);
    let first: number | undefined;
    let done = false;
    await readServerSentEvents(response.body, (data) => {
      if (data.startsWith('[DONE]')) {
        done = true;
        return 'stop';
      }
      if (first === undefined && chunkText(data).length > 0) first = performance.now() - startedAt;
    });
    if (!done) throw new Error(`the stream from POST ${route} ended without data: [DONE]`);
    return first;
  };

  // The first streamed request says whether this server streams gpt2 at all.
  const refused = await refusal(`${url}${route}`, body);
  if (refused !== undefined) {
    if (refused.status === 400 && refused.code === 'model_not_supported') return { status: 'skipped', reason: `route not available for gpt2: POST ${route} answered ${refused.line}`, route: `POST ${route}` };
    throw new Error(`POST ${route} answered ${refused.line}`);
  }

  const sides: Array<{ readonly label: string; run(): Promise<number | undefined>; readonly samples: number[]; withoutText: number }> = [
    { label: 'accel.stream (in-process)', run: inProcess, samples: [], withoutText: 0 },
    { label: `POST ${route} (SSE, loopback)`, run: overHttp, samples: [], withoutText: 0 },
  ];
  // Paired samples: each sample runs both, in turns (in-process first, then HTTP first), so that a
  // slow moment of the machine hits both; the overhead is the median of the pairs' differences.
  const differences: number[] = [];
  let pairs = 0;
  for (let round = 0; round < settings.rounds; round += 1) {
    log(`  round ${round + 1}/${settings.rounds}: first token, in-process and SSE in turns`);
    let last: Array<number | undefined> = [];
    await sampleRound(
      async () => {
        pairs += 1;
        const order = pairs % 2 === 0 ? [1, 0] : [0, 1];
        last = [];
        for (const index of order) last[index] = await sides[index]!.run();
      },
      settings.streamSampling,
      round === 0,
      () => {
        sides.forEach((side, index) => (last[index] === undefined ? (side.withoutText += 1) : side.samples.push(last[index]!)));
        if (last[0] !== undefined && last[1] !== undefined) differences.push(last[1] - last[0]);
      },
    );
  }
  for (const side of sides) if (side.samples.length === 0) throw new Error(`${side.label}: no generation produced text (${side.withoutText} ended without any)`);
  if (differences.length === 0) throw new Error('no pair of generations both produced text');
  const [inProcessSide, httpSide] = sides.map((side): FirstTokenSide => ({ label: side.label, milliseconds: summarize(side.samples), withoutText: side.withoutText })) as [FirstTokenSide, FirstTokenSide];
  return {
    status: 'measured',
    route: `POST ${route}`,
    tokens,
    inProcess: inProcessSide,
    http: httpSide,
    overheadMilliseconds: summarize(differences).median,
    pairs: differences.length,
  };
}

/**
 * `accel bench --server`: one registry with the bench's MiniLM endpoint (and gpt2 when the
 * server streams completions), served by `@accel/server` on 127.0.0.1 in this process. The
 * same workload as the bench's "64 concurrent singles" goes to the endpoint in-process and from
 * 64 concurrent HTTP clients (node:http, keep-alive, in a worker thread), in alternating rounds; then gpt2's time
 * to first token over SSE against in-process `accel.stream`. Returns the result with the goals.
 */
export async function runServerBench(options: ServerBenchOptions): Promise<ServerBenchResult> {
  const startedAt = performance.now();
  const loadAverageStart = loadavg()[0] ?? 0;
  const settings = settingsFor(options);
  const { log } = options;
  const replicas = options.replicas ?? 'auto';
  const cacheDirectory = resolve(options.cacheDirectory);
  const versions: Record<string, string> = { node: process.version, '@accel/server': serverVersion() };
  const embeddingsBase = {
    description: `${settings.concurrentRequests} different single-sentence requests at once, repeated: in-process accel.infer against ${settings.concurrentRequests} concurrent HTTP clients (node:http, keep-alive, in a worker thread of their own; encoding_format base64, the openai client's default) to a server in the bench process, on one endpoint`,
    model: miniLmProfile.model,
    backend: 'cpu',
  };
  const streamingBase = {
    description: `gpt2 continuing one prompt, streamed: time from the call to the first generated text, in-process accel.stream against SSE over HTTP (temperature 0), in pairs run back to back in turns`,
    model: gpt2Profile.model,
    backend: 'cpu',
  };
  let embeddings: ServerEmbeddingsResult;
  let streaming: ServerStreamingResult;

  const cpu = await loadCpuBackend();
  const backend = cpu.backend;
  const unavailable = cpu.backend === undefined ? cpu.unavailable : undefined;
  if (cpu.backend !== undefined) versions.cpu = cpu.runtime;

  if (backend === undefined || unavailable !== undefined) {
    embeddings = { ...embeddingsBase, status: 'skipped', reason: unavailable ?? 'no cpu backend' };
    streaming = { ...streamingBase, status: 'skipped', reason: unavailable ?? 'no cpu backend' };
  } else {
    const [{ createServer }, miniLm, gpt2] = await Promise.all([import('@accel/server'), miniLmProfile.skill.load(), gpt2Profile.skill.load()]);
    const accel = new Accel({ backends: [backend], skills: [miniLm, gpt2] });
    const server = createServer({ accel, port: 0, logger: { warn: (message) => log(`server: ${message}`), error: (message) => log(`server error: ${message}`) } });
    try {
      const { url } = await server.listen();
      log(`server listening on ${url}`);
      try {
        const { directory } = await ensureModel(miniLmProfile.model, cacheDirectory, options.size, options.progress);
        accel.addEndpoint({ id: miniLmEndpoint, skill: miniLm, model: directory, backend: 'cpu', replicas });
        const [status] = await accel.init(miniLmEndpoint);
        if (status?.state !== 'ready') throw new Error(status?.error?.message ?? 'the MiniLM endpoint did not load');
        if (settings.settleMs > 0) await new Promise((done) => setTimeout(done, settings.settleMs));
        log(`${miniLmProfile.id}: in-process against HTTP`);
        const threads = `${status.threads ?? 'default'} intra-op thread${status.threads === 1 ? '' : 's'}`;
        embeddings = {
          ...embeddingsBase,
          notes: [`${status.isolation} isolation, ${status.replicas > 1 ? `${status.replicas} replicas × ${threads}` : threads}`],
          ...(await measureEmbeddings(accel, miniLm, url, settings, log)),
        };
      } catch (error) {
        embeddings = { ...embeddingsBase, status: 'failed', reason: describeError(error) };
      }
      try {
        // Before loading gpt2: does this build of the server stream completions at all?
        const refused = await refusal(`${url}/v1/completions`, {});
        if (refused !== undefined && isMissingRoute(refused)) {
          streaming = { ...streamingBase, status: 'skipped', reason: 'route not available: POST /v1/completions is not in this build of @accel/server (404 not_found)' };
        } else {
          const { directory } = await ensureModel(gpt2Profile.model, cacheDirectory, options.size, options.progress);
          accel.addEndpoint({ id: gpt2Endpoint, skill: gpt2, model: directory, backend: 'cpu', replicas });
          const [status] = await accel.init(gpt2Endpoint);
          if (status?.state !== 'ready') throw new Error(status?.error?.message ?? 'the gpt2 endpoint did not load');
          if (settings.settleMs > 0) await new Promise((done) => setTimeout(done, settings.settleMs));
          log(`${gpt2Profile.id}: time to first token, in-process against SSE`);
          streaming = { ...streamingBase, ...(await measureStreaming(accel, gpt2, url, settings, log)) };
        }
      } catch (error) {
        streaming = { ...streamingBase, status: 'failed', reason: describeError(error) };
      }
    } finally {
      await server.close({ deadlineMs: 5000 });
      await accel.dispose();
    }
  }
  const partial = { embeddings, streaming };
  return {
    kind: 'server',
    generatedAt: new Date().toISOString(),
    command: options.command,
    mode: options.quick ? 'quick' : 'full',
    modelSize: options.size,
    replicas,
    machine: describeMachine(loadAverageStart),
    versions,
    durationSeconds: (performance.now() - startedAt) / 1000,
    ...partial,
    goals: evaluateServerGoals(partial),
  };
}
