import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AccelError } from '@accel/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterBenchResult, ClusterLatencyResult, ClusterThroughputResult, ThroughputSide } from '../src/cluster/cluster-bench-result.js';
import { evaluateClusterGoals } from '../src/cluster/cluster-goals.js';
import { findNatsServer } from '../src/cluster/nats-broker.js';
import { runClusterBench } from '../src/cluster/run-cluster-bench.js';
import { renderClusterConsoleSummary, renderClusterMarkdownReport } from '../src/reporters/cluster-report.js';

const accounting = (sent: number, errors = 0, lost = 0) => ({ sent, answered: sent - lost, errors, lost, examples: errors + lost > 0 ? ['error: vector off the in-process one by 0.5'] : [] });

function side(workers: 1 | 2, itemsPerSecond: number, errors = 0): ThroughputSide {
  return {
    label: `${workers} worker process${workers === 1 ? '' : 'es'}`,
    workers,
    rounds: [itemsPerSecond * 0.98, itemsPerSecond, itemsPerSecond * 1.01],
    itemsPerSecond,
    latency: { p50: 120, p99: 300, samples: 900 },
    cpuMillisecondsPerRequest: { gateway: 0.4, broker: 0.1, workers: 5.2 },
    answersByWorker: workers === 1 ? { 'bench-worker-a': 900 } : { 'bench-worker-a': 880, 'bench-worker-b': 910 },
    accounting: accounting(1000, errors),
  };
}

const base = { description: 'd', model: 'Xenova/all-MiniLM-L6-v2', backend: 'cpu' };
const throughput = (one: ThroughputSide, two: ThroughputSide): ClusterThroughputResult => ({ ...base, status: 'measured', concurrency: 128, one, two, ratio: two.itemsPerSecond / one.itemsPerSecond });
const latency: ClusterLatencyResult = {
  ...base,
  status: 'measured',
  inProcess: { label: 'accel.infer (in-process)', p50: 9, p90: 10, samples: 80 },
  remote: { label: 'cluster client → nats-server → worker', p50: 10.5, p90: 12, samples: 80 },
  p50Difference: 1.5,
  p90Difference: 2,
  pairedMedianDifference: 1.25,
  pairs: 80,
  accounting: accounting(85),
};
const httpSkipped: ClusterLatencyResult = { ...base, status: 'skipped', reason: 'this build of @accel/server does not serve remote endpoints' };

function result(parts: Pick<ClusterBenchResult, 'throughput' | 'latency' | 'httpLatency'>): ClusterBenchResult {
  return {
    kind: 'cluster',
    generatedAt: '2026-01-02T03:04:05.000Z',
    command: 'accel bench --cluster --quick',
    mode: 'quick',
    modelSize: 'full',
    machine: { cpu: 'Test CPU', cores: 2, memoryBytes: 8 * 2 ** 30, platform: 'linux x64', node: 'v20.19.0', loadAverageStart: 0.5, loadAverageEnd: 0.7 },
    versions: { node: 'v20.19.0', 'nats-server': '2.9.10' },
    durationSeconds: 60,
    payloadBytes: { request: 120, answer: 2400 },
    ...parts,
    goals: evaluateClusterGoals(parts),
  };
}

describe('cluster bench goals and report', () => {
  it('marks the scaling goal met or not met, and counts failed and lost requests of every measure', () => {
    const met = new Map(evaluateClusterGoals({ throughput: throughput(side(1, 100), side(2, 180)), latency, httpLatency: httpSkipped }).map((goal) => [goal.id, goal]));
    expect(met.get('two-workers-throughput')).toMatchObject({ status: 'met', measured: expect.closeTo(1.8, 10) });
    expect(met.get('cluster-errors-and-lost')).toMatchObject({ status: 'met', measured: 0, note: '2085 sent, 2085 answered, 0 errors, 0 lost' });

    const notMet = new Map(evaluateClusterGoals({ throughput: throughput(side(1, 100), side(2, 160, 3)), latency, httpLatency: httpSkipped }).map((goal) => [goal.id, goal]));
    expect(notMet.get('two-workers-throughput')).toMatchObject({ status: 'not met', measured: expect.closeTo(1.6, 10) });
    expect(notMet.get('cluster-errors-and-lost')).toMatchObject({ status: 'not met', measured: 3 });
  });

  it('reports a comparison that did not run as skipped with its reason, never met', () => {
    const reason = 'nats-server not found';
    const skipped = result({ throughput: { ...base, status: 'skipped', reason }, latency: { ...base, status: 'skipped', reason }, httpLatency: { ...base, status: 'skipped', reason } });
    for (const goal of skipped.goals) expect(goal).toMatchObject({ status: 'skipped', note: `skipped: ${reason}` });
    expect(renderClusterMarkdownReport(skipped)).toContain(`skipped: ${reason}`);
  });

  it('writes the tables and the overheads it measured', () => {
    const report = result({ throughput: throughput(side(1, 100), side(2, 180)), latency, httpLatency: httpSkipped });
    const markdown = renderClusterMarkdownReport(report);
    expect(markdown).toContain('| 2 worker processes | 180 items/s | 1.80× | 176, 180, 182 | – | 120 ms / 300 ms (900) | 0.40 ms / 0.10 ms / 5.20 ms | bench-worker-a 880, bench-worker-b 910 | 1000 | 1000 | 0 | 0 |');
    expect(markdown).toContain('| cluster client → nats-server → worker | 10.5 ms | 12.0 ms | 80 | +1.50 ms / +2.00 ms |');
    expect(markdown).toContain('**+1.25 ms**');
    expect(markdown).toContain('skipped: this build of @accel/server does not serve remote endpoints');
    const console = renderClusterConsoleSummary(report, ['out/bench.md'], (headers, rows) => [headers, ...rows].map((row) => row.join(' | ')).join('\n'));
    expect(console).toContain('two-workers-throughput | ≥ 1.7 | 1.80× | met');
    expect(console).toContain('batch-of-1 through the cluster: p50 10.5 ms against 9.00 ms in-process (+1.50 ms; p90 +2.00 ms; paired median +1.25 ms)');
  });

  it('reports the whole run skipped, with the reason and no number, when nats-server is missing', async () => {
    const missing = join(tmpdir(), 'no-such-folder', 'nats-server');
    const skipped = await runClusterBench({ quick: true, cacheDirectory: join(tmpdir(), 'unused'), size: 'tiny', command: 'test', natsServer: missing, log: () => undefined, progress: { interactive: false, write: () => undefined } });
    expect(skipped.skipped).toContain(`no file ${missing}`);
    for (const part of [skipped.throughput, skipped.latency, skipped.httpLatency]) expect(part).toMatchObject({ status: 'skipped', reason: skipped.skipped });
    expect(skipped.throughput.one).toBeUndefined();
    expect(skipped.goals.every((goal) => goal.status === 'skipped' && goal.measured === undefined)).toBe(true);
  });
});

/** `accel bench` as the CLI runs it, from the built package (the worker processes run a built file). */
async function bench(argv: string[], io: { stdout: (text: string) => void; stderr: (text: string) => void }): Promise<number> {
  const { benchFlags, runBenchCommand } = await import('@accel/bench');
  const { values, positionals } = parseArgs({ args: argv, options: { ...benchFlags, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const renderTable = (headers: readonly string[], rows: readonly (readonly string[])[]) => [headers, ...rows].map((row) => row.join(' | ')).join('\n');
  return runBenchCommand(values as never, positionals.slice(1), argv, { ...io, renderTable });
}

describe('accel bench --cluster flags', () => {
  const folder = mkdtempSync(join(tmpdir(), 'accel-bench-cluster-flags-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('refuses --server, --skills, --backends and --replicas with --cluster, before measuring', async () => {
    for (const extra of [['--server'], ['--skills', 'minilm'], ['--backends', 'cpu'], ['--replicas', '2']]) {
      const error: unknown = await bench(['bench', '--cluster', ...extra, '--out', join(folder, 'unused')], { stdout: () => undefined, stderr: () => undefined }).catch((thrown: unknown) => thrown);
      expect(AccelError.isInstance(error) && error.code).toBe('ACCEL_INVALID_INPUT');
    }
    expect(existsSync(join(folder, 'unused'))).toBe(false);
  });
});

const binary = findNatsServer();
// Without nats-server this suite is reported skipped, with the reason in its name: never passed.
const suite = binary === undefined ? describe.skip : describe;
suite(binary === undefined ? 'accel bench --cluster on tiny models: skipped, nats-server not installed (.ci/run installs it)' : 'accel bench --cluster on tiny models', () => {
  const folder = mkdtempSync(join(tmpdir(), 'accel-bench-cluster-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('runs 1 and 2 worker processes behind one client, both workers answer, and no answer is wrong or lost', async () => {
    const stdout: string[] = [];
    const out = join(folder, 'reports');
    const code = await bench(['bench', '--cluster', '--size', 'tiny', '--cache-dir', join(folder, 'models'), '--out', out], { stdout: (text) => stdout.push(text), stderr: () => undefined });
    const written = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as ClusterBenchResult;
    expect(written.skipped).toBeUndefined();
    expect(written.versions['nats-server']).toMatch(/^\d+\.\d+\.\d+/);
    const { throughput: measured } = written;
    expect(measured.reason).toBeUndefined();
    expect(measured.status).toBe('measured');
    const [one, two] = [measured.one!, measured.two!];
    for (const current of [one, two]) {
      expect(current.accounting).toMatchObject({ errors: 0, lost: 0, examples: [] });
      expect(current.accounting.answered).toBe(current.accounting.sent);
      expect(current.itemsPerSecond).toBeGreaterThan(0);
      // Where there is /proc: the other processes' CPU in every counted window.
      if (existsSync('/proc/stat')) expect(current.otherProcessesCores).toHaveLength(current.rounds.length);
      expect(current.latency.p99).toBeGreaterThanOrEqual(current.latency.p50);
      expect(current.cpuMillisecondsPerRequest.gateway).toBeGreaterThan(0);
      expect(current.cpuMillisecondsPerRequest.workers).toBeGreaterThan(0);
      // Every counted answer named the worker that ran it.
      expect(Object.values(current.answersByWorker).reduce((sum, count) => sum + count, 0)).toBe(current.latency.samples);
    }
    // One worker pulls alone; with two, both take a share.
    expect(Object.keys(one.answersByWorker)).toEqual(['bench-worker-a']);
    expect(Object.keys(two.answersByWorker).sort()).toEqual(['bench-worker-a', 'bench-worker-b']);
    for (const count of Object.values(two.answersByWorker)) expect(count).toBeGreaterThan(0);
    expect(measured.ratio).toBeCloseTo(two.itemsPerSecond / one.itemsPerSecond, 10);

    const { latency: overhead } = written;
    expect(overhead.status).toBe('measured');
    expect(overhead.pairs).toBeGreaterThanOrEqual(5);
    expect(overhead.accounting).toMatchObject({ errors: 0, lost: 0 });
    expect(overhead.inProcess!.p50).toBeGreaterThan(0);
    expect(overhead.p50Difference).toBeCloseTo(overhead.remote!.p50 - overhead.inProcess!.p50, 10);
    // Through @accel/server with the cluster client as its remote endpoints (this workspace's server has the option).
    const { httpLatency } = written;
    expect(httpLatency.reason).toBeUndefined();
    expect(httpLatency.status).toBe('measured');
    expect(httpLatency.accounting).toMatchObject({ errors: 0, lost: 0 });
    expect(httpLatency.accounting!.answered).toBe(httpLatency.accounting!.sent);
    expect(httpLatency.remote!.p50).toBeGreaterThan(0);

    expect(written.goals.find((goal) => goal.id === 'cluster-errors-and-lost')).toMatchObject({ status: 'met', measured: 0 });
    expect(['met', 'not met']).toContain(written.goals.find((goal) => goal.id === 'two-workers-throughput')!.status);
    expect(code).toBe(0);
    expect(readFileSync(join(out, 'bench.md'), 'utf8')).toContain('## Goals (issue 15)');
    expect(stdout.join('\n')).toContain(`wrote ${join(out, 'bench.md')}`);
  }, 120_000);
});
