import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { forgeModel, gpt2Files, writeFileAtomically } from '@accel/model-forge';
import { gpt2Skill } from '@accel/skill-gpt2';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The cluster package's own helpers (nats-server on a free loopback port, a fresh store folder; the
// suite skipped with the reason when it is missing; polling with a deadline).
import { findNatsServer, natsSuite, startNatsServer, type NatsServer } from '../../cluster/test/nats-server.js';
import { until as untilEvery } from '../../cluster/test/until.js';
import { run } from './run-cli.js';

// `accel worker` and `accel serve --nats` as real child processes around a real nats-server: every
// answer is checked against the same model run in this process.

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const binary = findNatsServer();
const ackWaitMs = 1500;
// Not lower: on a saturated shared machine, beats 200 ms apart were seen to arrive more than 3 beats late,
// and the gateway rightly counted the workers dead (503) although they were only starved.
const heartbeatMs = 500;
const tolerance = 1e-5;
/** New tokens of a generation that takes seconds on the long tiny GPT-2 (hidden 256: its 50,257-way head makes each token cost a few ms even in accel's own decoder loop), so a worker is surely in the middle of it. */
const longTokens = 800;

interface Cli {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<number | string | null>;
  /** Resolves with the first match of `pattern` in stdout + stderr; rejects at `timeoutMs` or when the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

const children: ChildProcess[] = [];

/** `node dist/bin.js …args` with its output collected. */
function spawnCli(args: readonly string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ACCEL_API_KEY: '', ACCEL_ADMIN_KEY: '', ACCEL_NATS_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  let ended = false;
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('close', (code, signal) => {
      ended = true;
      resolve(code ?? signal);
    }),
  );
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pattern.exec(`${output.stdout}\n${output.stderr}`);
      if (found !== null) return found;
      if (ended || Date.now() > deadline) throw new Error(`${ended ? 'exited' : 'timed out'} before ${pattern} in accel ${args.join(' ')}:\n${output.stdout}\n${output.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return { child, output, exited, waitFor };
}

/** Polls `check` every 50 ms (each one an HTTP request to a child process) until it holds, or fails naming `what` after `timeoutMs`. */
const until = (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) => untilEvery(check, what, timeoutMs, 50);

function largestDifference(actual: readonly number[], expected: ArrayLike<number>): number {
  expect(actual).toHaveLength(expected.length);
  return actual.reduce((largest, value, index) => Math.max(largest, Math.abs(value - expected[index]!)), 0);
}

interface Embedded {
  readonly status: number;
  readonly worker: string | null;
  readonly embedding: number[] | undefined;
  readonly body: unknown;
}

async function embed(url: string, text: string): Promise<Embedded> {
  const response = await fetch(`${url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'minilm', input: text, encoding_format: 'float' }) });
  const body = (await response.json()) as { data?: Array<{ embedding: number[] }> };
  return { status: response.status, worker: response.headers.get('x-accel-worker'), embedding: body.data?.[0]?.embedding, body };
}

/** Sends every text with `concurrency` requests in flight; `onAnswer` sees each answer as it comes. */
async function load(url: string, texts: readonly string[], concurrency: number, onAnswer?: (answer: Embedded, index: number) => void, onStart?: (index: number) => void): Promise<Embedded[]> {
  const answers: Embedded[] = new Array(texts.length);
  let next = 0;
  const lane = async () => {
    while (next < texts.length) {
      const index = next++;
      onStart?.(index);
      answers[index] = await embed(url, texts[index]!);
      onAnswer?.(answers[index], index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return answers;
}

function countBy(answers: readonly Embedded[]): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const { worker } of answers) counts.set(worker, (counts.get(worker) ?? 0) + 1);
  return counts;
}

interface Sse {
  readonly status: number;
  readonly text: string;
  /** The finish chunk's provenance (`provenance.worker` names the worker), when the stream got that far. */
  readonly provenance?: { worker?: { id: string } };
  readonly body?: unknown;
}

/** A streamed completion; `stopAfterFirstPiece` aborts the HTTP request once the first text arrived. */
async function streamCompletion(url: string, model: string, maxTokens: number, options: { stopAfterFirstPiece?: boolean; onFirstPiece?: () => void; signal?: AbortSignal } = {}): Promise<Sse> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  let response: Response;
  try {
    response = await fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, prompt: 'Once upon a time', max_tokens: maxTokens, stream: true }),
      signal: controller.signal,
    });
  } catch (error) {
    // Aborted before the stream opened (it opens with the first piece).
    if (controller.signal.aborted) return { status: 0, text: '' };
    throw error;
  }
  if (response.status !== 200) return { status: response.status, text: '', body: await response.json() };
  let text = '';
  let provenance: Sse['provenance'];
  let buffered = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body!) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) !== -1) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = event.replace(/^data: /, '');
        if (data === '[DONE]') return { status: 200, text, ...(provenance === undefined ? {} : { provenance }) };
        const parsed = JSON.parse(data) as { choices?: Array<{ text: string }>; error?: unknown; provenance?: Sse['provenance'] };
        if (parsed.error !== undefined) return { status: 200, text, body: parsed };
        const piece = parsed.choices?.[0]?.text ?? '';
        if (text === '' && piece !== '') options.onFirstPiece?.();
        text += piece;
        provenance ??= parsed.provenance;
        if (options.stopAfterFirstPiece === true && text !== '') {
          controller.abort();
          return { status: 200, text };
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { status: 200, text };
}

/** A completion (not streamed), with the worker that answered it. */
async function complete(url: string, model: string, maxTokens: number, signal?: AbortSignal): Promise<{ status: number; worker: string | null; body: unknown }> {
  const response = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, prompt: 'Once upon a time', max_tokens: maxTokens }),
    ...(signal === undefined ? {} : { signal }),
  });
  return { status: response.status, worker: response.headers.get('x-accel-worker'), body: (await response.json()) as unknown };
}

interface ClusterWorkerView {
  worker: { id: string };
  live: boolean;
  held: number;
  answered: number;
  endpoints: Array<{ id: string; queue: { busy: boolean } }>;
}

/**
 * `/v1/accel/status`'s `cluster` section (the gateway's view), with `workers` narrowed to the live
 * ones (a dead worker stays in the view a while, marked `live: false`, with its last heartbeat's counts).
 */
async function clusterOf(url: string): Promise<{ workers: ClusterWorkerView[]; requests?: { duplicatesDropped: number; lateDropped: number } }> {
  const { cluster } = (await (await fetch(`${url}/v1/accel/status`)).json()) as { cluster: { workers: ClusterWorkerView[]; requests?: { duplicatesDropped: number; lateDropped: number } } };
  return { ...cluster, workers: cluster.workers.filter((worker) => worker.live) };
}

/** The counters `accel worker` prints when it stops. */
function stoppedLine(worker: Cli): { answered: number; aborted: number; redelivered: number } {
  const found = /accel worker: stopped \(answered (\d+), aborted by their client (\d+), redelivered jobs received (\d+)\)/.exec(worker.output.stderr);
  expect(found, worker.output.stderr).not.toBeNull();
  return { answered: Number(found![1]), aborted: Number(found![2]), redelivered: Number(found![3]) };
}

// Without nats-server the suite is reported skipped, with the reason in its name: never passed.
natsSuite('accel worker and accel serve --nats (child processes on a real nats-server)', () => {
  let folder: string;
  let nats: NatsServer;
  let reference: Accel;
  let workersConfig: string;
  let workersConfigValue: { endpoints: Array<Record<string, unknown>>; models: unknown; threads: number; cluster: unknown };
  let gatewayConfig: string;
  const texts = Array.from({ length: 500 }, (_, index) => `sentence number ${index}: ${['a cat', 'a dog', 'the sea', 'a red kite'][index % 4]} ${'and more '.repeat(index % 7)}`);
  const expected: ArrayLike<number>[] = [];
  let gateway: Cli;
  let url: string;
  const workers: Record<'first' | 'second', { cli: Cli; id: string }> = {} as never;
  const servers: NatsServer[] = [];

  /** The in-process text of the long generation the tests ask the workers for (computed once). */
  let longTextOnce: Promise<string> | undefined;
  const longText = () => (longTextOnce ??= reference.infer(gpt2Skill, 'Once upon a time', { endpoint: 'gpt2', maxNewTokens: longTokens }).then((result) => result.output.text));

  /** Starts `accel worker`; resolves with it and its id once it serves. */
  async function startWorker(args: readonly string[], env: Record<string, string> = {}): Promise<{ cli: Cli; id: string }> {
    const cli = spawnCli(['worker', ...args], env);
    const found = await cli.waitFor(/accel worker: serving (\S.*) on (\S+) as (\S+)\n/, 45_000);
    return { cli, id: found[3]! };
  }

  async function startGateway(args: readonly string[]): Promise<{ cli: Cli; url: string }> {
    const cli = spawnCli(['serve', ...args]);
    const found = await cli.waitFor(/listening on (http:\/\/\S+)/, 45_000);
    return { cli, url: found[1]! };
  }

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'accel-cluster-cli-'));
    const cacheDirectory = join(folder, 'models');
    const miniLm = (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: cacheDirectory })).directory;
    // A tiny GPT-2 with room for 1000 new tokens: a generation long enough to be stopped midway.
    const longGpt2 = join(folder, 'long-gpt2');
    for (const file of gpt2Files({ id: 'Xenova/gpt2', dimensions: { layers: 2, hidden: 256, heads: 4, maxPositions: 1024 } })) await writeFileAtomically(join(longGpt2, file.path), file.content);

    nats = await startNatsServer(binary!);
    servers.push(nats);
    reference = new Accel({ backends: [createCpuBackend({ threads: 1 })], threads: 1 });
    reference.addEndpoint({ id: 'minilm', skill: sentenceEmbeddingsSkill, model: miniLm });
    reference.addEndpoint({ id: 'gpt2', skill: gpt2Skill, model: longGpt2 });
    for (let start = 0; start < texts.length; start += 50) {
      const results = await Promise.all(texts.slice(start, start + 50).map((text) => reference.infer(sentenceEmbeddingsSkill, [text], { endpoint: 'minilm' })));
      expected.push(...results.map((result) => result.output.embeddings[0]!));
    }

    const models = { cacheDirectory, offline: true };
    workersConfig = join(folder, 'workers.json');
    workersConfigValue = {
      endpoints: [
        { name: 'minilm', skill: 'sentence-embeddings', model: miniLm, maxBatchSize: 8, batchWaitMs: 2 },
        { name: 'gpt2', skill: 'gpt2', model: longGpt2, maxBatchSize: 1 },
      ],
      models,
      threads: 1,
      cluster: { ackWaitMs, heartbeatMs },
    };
    await writeFile(workersConfig, JSON.stringify(workersConfigValue));
    gatewayConfig = join(folder, 'gateway.json');
    await writeFile(gatewayConfig, JSON.stringify({ server: { port: 0 }, cluster: { heartbeatMs, timeoutMs: 30_000 } }));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.stop()));
    await reference?.dispose();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it('1 gateway + 2 workers: 500 embeddings over HTTP, each equal to the in-process result, both workers answering', async () => {
    // The broker's URL three ways: --nats (gateway, first worker) and $ACCEL_NATS_URL (second worker).
    const [started, first, second] = await Promise.all([
      startGateway(['--config', gatewayConfig, '--nats', nats.url]),
      startWorker(['--config', workersConfig, '--nats', nats.url, '--id', 'worker-one']),
      startWorker(['--config', workersConfig], { ACCEL_NATS_URL: nats.url }),
    ]);
    gateway = started.cli;
    url = started.url;
    workers.first = first;
    workers.second = second;
    expect(first.id).toBe('worker-one');
    expect(first.cli.output.stdout).toMatch(/endpoint minilm \(sentence-embeddings, .*\): ready on cpu/);
    expect(first.cli.output.stdout).toContain(`accel worker: serving minilm, gpt2 on ${nats.url} as worker-one`);
    expect(gateway.output.stdout).toContain(`accel serve: gateway for the cluster at ${nats.url}`);
    await until('/ready with both workers', async () => (await fetch(`${url}/ready`)).status === 200);
    await gateway.waitFor(/remote endpoint minilm \(sentence-embeddings, .*\): ready on cpu/, 5_000);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((model) => model.id).sort()).toEqual(['gpt2', 'minilm']);

    const answers = await load(url, texts, 32);
    answers.forEach((answer, index) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(largestDifference(answer.embedding!, expected[index]!)).toBeLessThanOrEqual(tolerance);
    });
    const counts = countBy(answers);
    expect([...counts.keys()].sort()).toEqual([first.id, second.id].sort());
    expect(counts.get(first.id)).toBeGreaterThan(0);
    expect(counts.get(second.id)).toBeGreaterThan(0);
    const cluster = await clusterOf(url);
    expect(cluster.workers.map((worker) => worker.worker.id).sort()).toEqual([first.id, second.id].sort());
  });

  it('SIGKILL of a worker holding jobs: all 500 answered once and right, its jobs redelivered to the other worker', async () => {
    const { first, second } = workers;
    // Two long generations first, one held by each worker (gpt2's maxBatchSize is 1): the first worker
    // is surely in the middle of one when it is killed, whatever its embeddings are doing then.
    const generations = [0, 1].map(() => complete(url, 'gpt2', longTokens));
    await until('each worker to run a generation', async () => (await clusterOf(url)).workers.filter((worker) => worker.endpoints.find((endpoint) => endpoint.id === 'gpt2')?.queue.busy === true).length === 2, 20_000);
    let killed = false;
    let deadAt = Infinity;
    void first.cli.exited.then(() => (deadAt = performance.now()));
    const requestedAt: number[] = new Array(texts.length);
    // Killed 300 ms into the load: in the middle of its generation (which takes seconds) and with
    // embedding jobs it has pulled waiting behind it in its worker.
    const kill = setTimeout(() => {
      killed = true;
      first.cli.child.kill('SIGKILL');
    }, 300);
    const answers = await load(
      url,
      texts,
      32,
      () => undefined,
      (index) => (requestedAt[index] = performance.now()),
    ).finally(() => clearTimeout(kill));
    expect(killed).toBe(true);
    expect(await first.cli.exited).toBe('SIGKILL');
    answers.forEach((answer, index) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(largestDifference(answer.embedding!, expected[index]!)).toBeLessThanOrEqual(tolerance);
    });
    // Requests sent once the first worker was dead are all the second's.
    const afterKill = answers.filter((_, index) => requestedAt[index]! > deadAt);
    expect(afterKill.length).toBeGreaterThan(0);
    for (const answer of afterKill) expect(answer.worker).toBe(second.id);
    // The generation the first worker held waited ack_wait, then went to the second: both answered by it, in full.
    const text = await longText();
    for (const generation of await Promise.all(generations)) {
      expect(generation.status, JSON.stringify(generation.body)).toBe(200);
      expect(generation.worker).toBe(second.id);
      expect((generation.body as { choices: Array<{ text: string }> }).choices[0]!.text).toBe(text);
    }
    const cluster = await clusterOf(url);
    expect(cluster.requests?.duplicatesDropped).toBeGreaterThanOrEqual(0);
    console.log(`SIGKILL: ${answers.filter((answer) => answer.worker === first.id).length} embeddings answered by the killed worker, ${afterKill.length} sent after the kill; the gateway dropped ${cluster.requests?.duplicatesDropped} duplicate answers, ${cluster.requests?.lateDropped} late ones`);
    // The dead worker is no longer live in the gateway's view within 3 heartbeats (its key is not deleted: it was killed).
    await until('the killed worker to be counted dead', async () => !(await clusterOf(url)).workers.some((worker) => worker.worker.id === first.id), 5_000);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });

  it('a worker started later takes a share; stopped with SIGTERM it drains the jobs it holds (none lost) and exits 0', async () => {
    // The broker from the config's cluster section this time.
    const withNats = join(folder, 'workers-with-nats.json');
    await writeFile(withNats, JSON.stringify({ ...workersConfigValue, cluster: { nats: nats.url, ackWaitMs, heartbeatMs } }));
    const third = await startWorker(['--config', withNats, '--id', 'worker-three']);
    await until('the third worker in the cluster view', async () => (await clusterOf(url)).workers.some((worker) => worker.worker.id === third.id), 5_000);

    const share = texts.slice(0, 150);
    const answers = await load(url, share, 32);
    answers.forEach((answer, index) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(largestDifference(answer.embedding!, expected[index]!)).toBeLessThanOrEqual(tolerance);
    });
    const counts = countBy(answers);
    expect([...counts.keys()].sort()).toEqual([workers.second.id, third.id].sort());
    expect(counts.get(third.id)).toBeGreaterThan(0);

    // Two long generations at once: each worker holds one (gpt2's maxBatchSize is 1), so the third is
    // in the middle of one when SIGTERM comes. It finishes it (the whole text) before it exits.
    let started = 0;
    const streams = [0, 1].map(() => streamCompletion(url, 'gpt2', longTokens, { onFirstPiece: () => (started += 1) }));
    // A piece arrives only while its worker generates: both are running now.
    await until('both generations to start', () => started === 2, 20_000);
    third.cli.child.kill('SIGTERM');
    const generated = await Promise.all(streams);
    expect(await third.cli.exited).toBe(0);
    expect(third.cli.output.stderr).toMatch(/accel worker: SIGTERM: draining \(no new jobs; the 1 held are answered and acked\)/);
    const text = await longText();
    for (const each of generated) {
      expect(each.status, JSON.stringify(each.body)).toBe(200);
      expect(each.text).toBe(text);
    }
    expect(generated.map((each) => each.provenance?.worker?.id).sort()).toEqual([workers.second.id, third.id].sort());
    // Every job it answered reached its HTTP client: the embeddings it sent and the generation it drained.
    expect(stoppedLine(third.cli).answered).toBe(counts.get(third.id)! + 1);
    // Its heartbeat key is deleted when it stops: it is no longer a live worker at once.
    await until('the stopped worker to leave the live workers', async () => !(await clusterOf(url)).workers.some((worker) => worker.worker.id === third.id), 2_000);
  });

  it('streams gpt2 through gateway → worker; an HTTP client that goes away stops the worker’s generation', async () => {
    const local = await reference.infer(gpt2Skill, 'Once upon a time', { endpoint: 'gpt2', maxNewTokens: 8 });
    const streamed = await streamCompletion(url, 'gpt2', 8);
    expect(streamed.status, JSON.stringify(streamed.body)).toBe(200);
    expect(streamed.text).toBe(local.output.text);
    expect(streamed.provenance?.worker?.id).toBe(workers.second.id);

    // 1000 tokens take seconds here; the client leaves after the first piece.
    const aborted = await streamCompletion(url, 'gpt2', 1000, { stopAfterFirstPiece: true });
    expect(aborted.status).toBe(200);
    expect(aborted.text).not.toBe('');
    await until('the worker to let the generation go', async () => (await clusterOf(url)).workers.every((worker) => worker.held === 0), 10_000);
    // The worker counts the job as aborted by its client, not answered (a finished generation would be answered).
    workers.second.cli.child.kill('SIGTERM');
    expect(await workers.second.cli.exited).toBe(0);
    const counters = stoppedLine(workers.second.cli);
    expect(counters.aborted).toBe(1);
    // The jobs the SIGKILLed worker held were redelivered to this one.
    expect(counters.redelivered).toBeGreaterThan(0);
    // With no live worker the gateway says why.
    await until('/ready 503', async () => (await fetch(`${url}/ready`)).status === 503, 5_000);
    const refused = await embed(url, 'a cat');
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.body)).toMatch(/no live worker serves endpoint minilm/);
  });

  it('a full endpoint queue answers 429 with retry-after; both reconnect after a broker restart; a dead worker’s endpoint 503 with the reason', async () => {
    // A broker of its own: the queue bound belongs to the stream, which every endpoint on a broker shares.
    const small = await startNatsServer(binary!);
    servers.push(small);
    const cluster = { heartbeatMs, maxQueuedPerEndpoint: 2 };
    const workerConfig = join(folder, 'bounded-worker.json');
    await writeFile(workerConfig, JSON.stringify({ endpoints: [{ name: 'slowgen', skill: 'gpt2', model: workersConfigValue.endpoints[1]!.model, maxBatchSize: 1 }], threads: 1, cluster: { ...cluster, ackWaitMs } }));
    const frontConfig = join(folder, 'bounded-gateway.json');
    await writeFile(frontConfig, JSON.stringify({ server: { port: 0 }, cluster: { ...cluster, timeoutMs: 10_000 } }));
    const [front, worker] = await Promise.all([startGateway(['--config', frontConfig, '--nats', small.url]), startWorker(['--config', workerConfig, '--nats', small.url])]);
    await until('/ready', async () => (await fetch(`${front.url}/ready`)).status === 200);

    // One long generation held by the worker (maxBatchSize 1: it holds one job at a time)…
    const stop = new AbortController();
    const long = streamCompletion(front.url, 'slowgen', 1000, { signal: stop.signal });
    await until('the worker to hold the long generation', async () => (await clusterOf(front.url)).workers.some((each) => each.held === 1), 10_000);
    // …then three more at once: the subject holds 2 jobs (the held one and one waiting), so two are refused at once.
    const settled: Array<{ status: number; retryAfter: string | null; body: unknown }> = [];
    const more = [0, 1, 2].map(async () => {
      const response = await fetch(`${front.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'slowgen', prompt: 'Once upon a time', max_tokens: 2 }) });
      const answer = { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as unknown };
      settled.push(answer);
      return answer;
    });
    // Settled here too if an assertion below fails first, so no request is left unhandled.
    void Promise.allSettled(more);
    await until('two refusals', () => settled.length >= 2, 10_000);
    for (const refused of settled.slice(0, 2)) {
      expect(refused.status, JSON.stringify(refused.body)).toBe(429);
      expect(refused.retryAfter).not.toBeNull();
      expect(JSON.stringify(refused.body)).toMatch(/slowgen/);
    }
    // The client of the long one goes away: the worker stops it and runs the waiting job.
    stop.abort();
    await long;
    const answers = await Promise.all(more);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 429, 429]);
    const local = await reference.infer(gpt2Skill, 'Once upon a time', { endpoint: 'gpt2', maxNewTokens: 2 });
    expect((answers.find((answer) => answer.status === 200)!.body as { choices: Array<{ text: string }> }).choices[0]!.text).toBe(local.output.text);

    // The broker dies and comes back on the same port and store: gateway and worker reconnect by themselves;
    // a request sent meanwhile completes or fails typed (503/504), never hangs; the next ones succeed.
    await small.kill('SIGKILL');
    const during = complete(front.url, 'slowgen', 2, AbortSignal.timeout(25_000)).then((answer) => answer.status);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await small.restart();
    await until('the gateway and the worker to reconnect', () => /reconnected to/.test(front.cli.output.stderr) && /reconnected to/.test(worker.cli.output.stderr), 15_000);
    expect([200, 503, 504]).toContain(await during);
    await until('a request after the restart to succeed', async () => (await complete(front.url, 'slowgen', 2)).status === 200, 15_000);

    // A worker killed without a goodbye: after 3 heartbeats without one, its endpoint is 503 with the reason.
    worker.cli.child.kill('SIGKILL');
    await until('/ready 503', async () => (await fetch(`${front.url}/ready`)).status === 503, 5_000);
    await front.cli.waitFor(/remote endpoint slowgen \(gpt2, .*\): failed: ACCEL_BACKEND_UNAVAILABLE: no live worker serves endpoint slowgen/, 5_000);
    expect(JSON.stringify(await (await fetch(`${front.url}/ready`)).json())).toMatch(/slowgen/);
    const refused = await fetch(`${front.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'slowgen', prompt: 'hi', max_tokens: 2 }) });
    expect(refused.status).toBe(503);
    expect(JSON.stringify(await refused.json())).toMatch(new RegExp(`no live worker serves endpoint slowgen; last seen \\S+ on worker ${worker.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    // Both gateways drain and leave the broker on SIGTERM.
    for (const each of [front.cli, gateway]) {
      each.child.kill('SIGTERM');
      expect(await each.exited).toBe(0);
      expect(each.output.stderr).toMatch(/accel serve: stopped\s*$/);
    }
  });
});

describe('accel worker and accel serve --nats: the command line', () => {
  it('documents both; refuses a worker without a broker or an endpoint, naming what to pass', async () => {
    const help = await run('worker', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage:\n {2}accel worker --config workers\.json --nats nats:\/\/host:4222/);
    for (const flag of ['--config', '--nats', '--id', '--offline', '--cache-dir', '--threads', '--model', '--backend']) expect(help.stdout).toMatch(new RegExp(`^ {2}${flag} `, 'm'));
    const general = await run('--help');
    expect(general.stdout).toMatch(/^ {2}accel worker --config FILE --nats URL +a cluster worker/m);
    expect(general.stdout).toMatch(/^ {2}accel serve --config FILE --nats URL +the same as a gateway/m);
    expect((await run('serve', '--help')).stdout).toMatch(/^ {2}--nats +be a gateway for the cluster on this broker/m);

    const folder = await mkdtemp(join(tmpdir(), 'accel-worker-args-'));
    try {
      const config = join(folder, 'workers.json');
      await writeFile(config, JSON.stringify({ endpoints: [{ name: 'minilm', skill: 'sentence-embeddings' }] }));
      const saved = process.env.ACCEL_NATS_URL;
      delete process.env.ACCEL_NATS_URL;
      try {
        expect((await run('worker', '--config', config)).stderr).toMatch(/accel worker needs a NATS broker: --nats nats:\/\/host:4222, \$ACCEL_NATS_URL, or the config's cluster\.nats/);
      } finally {
        if (saved !== undefined) process.env.ACCEL_NATS_URL = saved;
      }
      // A broker that is not there: refused at once (before any model loads), typed, naming the URL.
      const unreachable = await run('worker', '--config', config, '--nats', 'nats://127.0.0.1:1');
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(/^error: ACCEL_BACKEND_UNAVAILABLE: .*cannot connect to the NATS server at nats:\/\/127\.0\.0\.1:1/);
      expect(unreachable.stdout).toBe('');
      const empty = join(folder, 'empty.json');
      await writeFile(empty, JSON.stringify({ cluster: { nats: 'nats://127.0.0.1:1' } }));
      expect((await run('worker', '--config', empty)).stderr).toMatch(/empty\.json: endpoints: a worker needs at least one endpoint to serve/);
      expect((await run('worker')).stderr).toMatch(/accel worker needs --config <file> or a skill name/);
      const badCluster = join(folder, 'bad.json');
      await writeFile(badCluster, JSON.stringify({ cluster: { nats: 'nats://a b', ackWaitMs: 5, colour: 'red' } }));
      expect((await run('worker', '--config', badCluster)).stderr).toMatch(/bad\.json: cluster\.nats: a NATS URL .*; cluster\.ackWaitMs: Too small: .*; cluster: Unrecognized key: "colour"/);
      // A gateway may list no endpoint of its own: its config is valid with a broker.
      const gateway = join(folder, 'gateway.json');
      await writeFile(gateway, JSON.stringify({ cluster: { heartbeatMs: 200 } }));
      const checked = await run('serve', '--config', gateway, '--nats', 'nats://127.0.0.1:4222', '--check');
      expect(checked.stdout).toContain('ok    cluster.nats: gateway for the cluster at nats://127.0.0.1:4222 (not contacted by --check)');
      expect(checked.code).toBe(0);
      expect((await run('serve', '--config', gateway, '--check')).code).toBe(1);
      // No config at all: a gateway for the cluster alone, which goes as far as the broker.
      const bare = await run('serve', '--nats', 'nats://127.0.0.1:1', '--port', '0');
      expect(bare.stderr).toMatch(/^error: ACCEL_BACKEND_UNAVAILABLE: .*cannot connect to the NATS server at nats:\/\/127\.0\.0\.1:1/);
      expect((await run('serve', '--nats', 'nats://127.0.0.1:1', '--model', 'x')).stderr).toMatch(/accel serve needs --config <file> or a skill name/);

      // Without @accel/cluster (an optional peer dependency) both say in one line what to install.
      const hidden = { ...process.env, ACCEL_HIDE_PACKAGES: '@accel/cluster', ACCEL_NATS_URL: '' };
      const withoutCluster = async (...argv: string[]) => {
        const child = spawn(process.execPath, ['--import', new URL('./hide-packages.mjs', import.meta.url).pathname, bin, ...argv], { env: hidden, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
        return { code, stderr };
      };
      expect(await withoutCluster('worker', '--config', config, '--nats', 'nats://127.0.0.1:1')).toEqual({ code: 1, stderr: 'error: ACCEL_UNSUPPORTED: accel worker needs @accel/cluster: npm install @accel/cluster\n' });
      expect(await withoutCluster('serve', '--config', gateway, '--nats', 'nats://127.0.0.1:1', '--port', '0')).toEqual({ code: 1, stderr: 'error: ACCEL_UNSUPPORTED: accel serve --nats needs @accel/cluster: npm install @accel/cluster\n' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
