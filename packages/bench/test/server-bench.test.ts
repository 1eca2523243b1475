import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AccelError } from '@accel/core';
import { afterAll, describe, expect, it } from 'vitest';
import { renderServerMarkdownReport } from '../src/reporters/server-report.js';
import { largestDifference, readServerSentEvents, RequestLedger } from '../src/server/requests.js';
import type { ConcurrentSide, ServerBenchResult, ServerEmbeddingsResult, ServerStreamingResult } from '../src/server/server-bench-result.js';
import { evaluateServerGoals, formatServerGoalMeasured } from '../src/server/server-goals.js';

const summary = (value: number) => ({ median: value, p95: value * 1.5, samples: 5 });

function side(label: string, itemsPerSecond: number, errors = 0, lost = 0): ConcurrentSide {
  return {
    label,
    burstMilliseconds: summary(64_000 / itemsPerSecond),
    itemsPerSecond,
    latency: { p50: 40, p99: 90, samples: 320 },
    cpuMillisecondsPerRequest: 1.5,
    mainLoopMillisecondsPerRequest: 0.25,
    meanBatchSize: 21.33,
    accounting: { sent: 384, answered: 384 - lost, errors, lost, examples: errors + lost > 0 ? ['error: 500 internal_error boom'] : [] },
  };
}

const embeddings = (http: ConcurrentSide, inProcess = side('accel.infer (in-process)', 500)): ServerEmbeddingsResult => ({
  description: '64 different single-sentence requests at once',
  model: 'Xenova/all-MiniLM-L6-v2',
  backend: 'cpu',
  status: 'measured',
  route: 'POST /v1/embeddings',
  requests: 64,
  notes: ['worker isolation, 2 intra-op threads'],
  inProcess,
  http,
  throughputRatio: http.itemsPerSecond / inProcess.itemsPerSecond,
  inProcessBatchSizes: [32, 32],
});

const streamingSkipped: ServerStreamingResult = {
  description: 'gpt2 continuing one prompt, streamed',
  model: 'Xenova/gpt2',
  backend: 'cpu',
  status: 'skipped',
  reason: 'route not available: POST /v1/completions is not in this build of @accel/server (404 not_found)',
};

const streamingMeasured = (inProcess: number, http: number): ServerStreamingResult => ({
  ...streamingSkipped,
  status: 'measured',
  reason: undefined,
  route: 'POST /v1/completions',
  tokens: 4,
  inProcess: { label: 'accel.stream (in-process)', milliseconds: summary(inProcess), withoutText: 0 },
  http: { label: 'POST /v1/completions (SSE, loopback)', milliseconds: summary(http), withoutText: 0 },
  overheadMilliseconds: http - inProcess,
});

function result(parts: Pick<ServerBenchResult, 'embeddings' | 'streaming'>): ServerBenchResult {
  return {
    kind: 'server',
    generatedAt: '2026-01-02T03:04:05.000Z',
    command: 'accel bench --server --quick',
    mode: 'quick',
    modelSize: 'full',
    replicas: 1,
    machine: { cpu: 'Test CPU', cores: 2, memoryBytes: 8 * 2 ** 30, platform: 'linux x64', node: 'v20.19.0', loadAverageStart: 0.5, loadAverageEnd: 0.7 },
    versions: { node: 'v20.19.0', '@accel/server': '0.1.0' },
    durationSeconds: 60,
    ...parts,
    goals: evaluateServerGoals(parts),
  };
}

describe('server bench goals', () => {
  it('marks each goal met or not met from the measured values', () => {
    const goals = new Map(evaluateServerGoals({ embeddings: embeddings(side('POST /v1/embeddings', 470)), streaming: streamingMeasured(40, 42.5) }).map((goal) => [goal.id, goal]));
    expect(goals.get('http-throughput')).toMatchObject({ status: 'met', measured: expect.closeTo(0.94, 10) });
    expect(goals.get('http-errors-and-lost')).toMatchObject({ status: 'met', measured: 0 });
    expect(goals.get('sse-first-token')).toMatchObject({ status: 'met', measured: 2.5 });

    const worse = new Map(evaluateServerGoals({ embeddings: embeddings(side('POST /v1/embeddings', 400, 2, 1)), streaming: streamingMeasured(40, 47) }).map((goal) => [goal.id, goal]));
    expect(worse.get('http-throughput')).toMatchObject({ status: 'not met', measured: expect.closeTo(0.8, 10) });
    expect(worse.get('http-errors-and-lost')).toMatchObject({ status: 'not met', measured: 3 });
    expect(worse.get('http-errors-and-lost')?.note).toContain('2 errors, 1 lost');
    expect(worse.get('sse-first-token')).toMatchObject({ status: 'not met', measured: 7 });
  });

  it('never counts a comparison that did not run as met: it is skipped, with the reason', () => {
    const goals = evaluateServerGoals({ embeddings: { ...embeddings(side('x', 1)), status: 'failed', reason: 'boom', inProcess: undefined, http: undefined, throughputRatio: undefined }, streaming: streamingSkipped });
    expect(goals.map((goal) => goal.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(goals[0]?.note).toBe('failed: boom');
    expect(goals[2]?.note).toContain('route not available');
    expect(goals.map(formatServerGoalMeasured)).toEqual(['–', '–', '–']);
  });

  it('formats ratios, milliseconds and request counts', () => {
    const [throughput, errors, firstToken] = evaluateServerGoals({ embeddings: embeddings(side('POST /v1/embeddings', 450.5)), streaming: streamingMeasured(40, 41.25) });
    expect(formatServerGoalMeasured(throughput!)).toBe('0.901×');
    expect(formatServerGoalMeasured(errors!)).toBe('0 requests');
    expect(formatServerGoalMeasured(firstToken!)).toBe('1.3 ms');
  });
});

describe('server bench report', () => {
  it('lays out the goals, both clients with throughput, latency and every request accounted for, and a skipped stream', () => {
    const markdown = renderServerMarkdownReport(result({ embeddings: embeddings(side('POST /v1/embeddings (HTTP, loopback)', 460, 1)), streaming: streamingSkipped }));
    expect(markdown).toContain('# accel bench --server (quick)');
    expect(markdown).toMatch(/\| 64 concurrent single requests, MiniLM: HTTP on loopback ÷ in-process throughput \| ≥ 0\.9 \| 0\.92× \| met \|/);
    expect(markdown).toMatch(/\| HTTP requests that failed or were lost \(every burst, warm-up included\) \| = 0 \| 1 request \| \*\*not met\*\* \|/);
    expect(markdown).toMatch(/\| gpt2 streamed over SSE: time to first token, HTTP − in-process `accel.stream` \(median of paired differences\) \| ≤ 5 ms \| – \| skipped \| skipped: route not available/);
    expect(markdown).toContain('| POST /v1/embeddings (HTTP, loopback) | 460 items/s | 0.92× | 139 ms / 209 ms (5) | 40.0 ms / 90.0 ms (320) | 1.50 ms | 0.25 ms | 21.3 | 384 | 384 | 1 | 0 |');
    expect(markdown).toContain('- error: 500 internal_error boom');
    expect(markdown).toContain('skipped: route not available: POST /v1/completions is not in this build');
  });

  it('shows the first-token overhead when the stream was measured', () => {
    const markdown = renderServerMarkdownReport(result({ embeddings: embeddings(side('POST /v1/embeddings (HTTP, loopback)', 460)), streaming: streamingMeasured(40, 43) }));
    expect(markdown).toContain('| POST /v1/completions (SSE, loopback) | 43.0 ms | 64.5 ms | 5 | 0 | +3.00 ms |');
  });
});

describe('server bench helpers', () => {
  it('counts answered, failed and lost requests', () => {
    const ledger = new RequestLedger();
    ledger.record({ kind: 'ok' });
    ledger.record({ kind: 'error', message: '503 server_closing' });
    ledger.record({ kind: 'lost', message: 'fetch failed' });
    expect(ledger.accounting()).toEqual({ sent: 3, answered: 2, errors: 1, lost: 1, examples: ['error: 503 server_closing', 'lost: fetch failed'] });
  });

  it('compares vectors element by element', () => {
    expect(largestDifference([1, 2, 3], Float32Array.of(1, 2.5, 3))).toBeCloseTo(0.5, 10);
    expect(largestDifference([1, 2], [1, 2, 3])).toBe(Number.POSITIVE_INFINITY);
    expect(largestDifference([Number.NaN], [1])).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads server-sent events split anywhere across chunks, skipping comments, up to [DONE]', async () => {
    const text = ': ping\n\ndata: {"a":1}\n\ndata: {"b":\ndata: 2}\r\n\r\ndata:[DONE]\n\ndata: {"after":true}\n\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 7) controller.enqueue(bytes.subarray(offset, offset + 7));
        controller.close();
      },
    });
    const seen: string[] = [];
    await readServerSentEvents(body, (data) => {
      seen.push(data);
      return data === '[DONE]' ? 'stop' : undefined;
    });
    expect(seen).toEqual(['{"a":1}', '{"b":\n2}', '[DONE]']);
  });
});

/** `accel bench --server` as the CLI runs it, from the built package (the HTTP clients' worker thread is a built file). */
async function bench(argv: string[], io: { stdout: (text: string) => void; stderr: (text: string) => void }): Promise<number> {
  const { benchFlags, runBenchCommand } = await import('@accel/bench');
  const { values, positionals } = parseArgs({ args: argv, options: { ...benchFlags, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const renderTable = (headers: readonly string[], rows: readonly (readonly string[])[]) => [headers, ...rows].map((row) => row.join(' | ')).join('\n');
  return runBenchCommand(values as never, positionals.slice(1), argv, { ...io, renderTable });
}

describe('accel bench --server on tiny models', () => {
  const folder = mkdtempSync(join(tmpdir(), 'accel-bench-server-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('serves MiniLM over HTTP and in-process in the same run, and loses or fails no request', async () => {
    const stderr: string[] = [];
    const stdout: string[] = [];
    const out = join(folder, 'reports');
    const code = await bench(['bench', '--server', '--size', 'tiny', '--cache-dir', join(folder, 'models'), '--out', out], {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
    });
    expect(stderr.join('\n')).not.toMatch(/server error/);
    expect(code).toBe(0);
    for (const file of ['bench.json', 'bench.md']) expect(existsSync(join(out, file))).toBe(true);
    const written = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as ServerBenchResult;
    expect(written.kind).toBe('server');
    expect(written.modelSize).toBe('tiny');
    const { embeddings: measured } = written;
    expect(measured.status).toBe('measured');
    expect(['POST /v1/embeddings', 'POST /v1/accel/infer/{endpoint}']).toContain(measured.route);
    for (const client of [measured.inProcess!, measured.http!]) {
      expect(client.accounting).toMatchObject({ errors: 0, lost: 0, examples: [] });
      expect(client.accounting.answered).toBe(client.accounting.sent);
      // Whole bursts of 64, warm-up included.
      expect(client.accounting.sent % 64).toBe(0);
      expect(client.accounting.sent).toBeGreaterThanOrEqual(64 * (client.burstMilliseconds.samples + 1));
      expect(client.latency.samples).toBe(64 * client.burstMilliseconds.samples);
      expect(client.latency.p99).toBeGreaterThanOrEqual(client.latency.p50);
      expect(client.itemsPerSecond).toBeCloseTo((64 * 1000) / client.burstMilliseconds.median, 6);
      expect(client.cpuMillisecondsPerRequest).toBeGreaterThan(0);
      expect(client.mainLoopMillisecondsPerRequest).toBeGreaterThan(0);
      // Every request ran in a batch of 1 to 64 (the skill's largest).
      expect(client.meanBatchSize).toBeGreaterThanOrEqual(1);
      expect(client.meanBatchSize).toBeLessThanOrEqual(64);
    }
    expect(measured.http!.clientLoopMillisecondsPerRequest).toBeGreaterThan(0);
    expect(measured.inProcess!.clientLoopMillisecondsPerRequest).toBeUndefined();
    expect(measured.throughputRatio).toBeCloseTo(measured.http!.itemsPerSecond / measured.inProcess!.itemsPerSecond, 10);
    expect(written.goals.find((goal) => goal.id === 'http-errors-and-lost')).toMatchObject({ status: 'met', measured: 0 });

    const { streaming } = written;
    const firstToken = written.goals.find((goal) => goal.id === 'sse-first-token')!;
    if (streaming.status === 'measured') {
      expect(streaming.inProcess!.milliseconds.median).toBeGreaterThan(0);
      expect(streaming.http!.milliseconds.median).toBeGreaterThan(0);
      // The median of paired differences: within the spread of the two sides.
      expect(streaming.pairs).toBe(streaming.http!.milliseconds.samples);
      expect(Math.abs(streaming.overheadMilliseconds!)).toBeLessThanOrEqual(Math.max(streaming.http!.milliseconds.p95, streaming.inProcess!.milliseconds.p95));
      expect(['met', 'not met']).toContain(firstToken.status);
    } else {
      // A server without the streaming route: reported as skipped with why, never as met.
      expect(streaming.status).toBe('skipped');
      expect(streaming.reason).toMatch(/^route not available/);
      expect(firstToken.status).toBe('skipped');
    }
    expect(readFileSync(join(out, 'bench.md'), 'utf8')).toContain('## Goals (issue 14)');
    expect(stdout.join('\n')).toContain(`wrote ${join(out, 'bench.md')}`);
  }, 120_000);

  it('refuses --skills and --backends with --server, before measuring', async () => {
    for (const argv of [
      ['bench', '--server', '--skills', 'minilm', '--out', join(folder, 'unused')],
      ['bench', '--server', '--backends', 'cpu', '--out', join(folder, 'unused')],
    ]) {
      const error: unknown = await bench(argv, { stdout: () => undefined, stderr: () => undefined }).catch((thrown: unknown) => thrown);
      expect(AccelError.isInstance(error) && error.code).toBe('ACCEL_INVALID_INPUT');
    }
    expect(existsSync(join(folder, 'unused'))).toBe(false);
  });
});
