import type { ReplicasSetting } from './subjects/accel-subject.js';
import { resolve } from 'node:path';
import { InvalidInputError } from '@accel/core';
import type { ProgressOutput } from './progress-bar.js';
import { renderConsoleSummary, type TableRenderer } from './reporters/console-summary.js';
import { renderJsonReport } from './reporters/json-report.js';
import { writeReports } from './reporters/write-reports.js';
import type { ModelSize } from './model-cache.js';
import { runBench } from './runner.js';
import { renderServerConsoleSummary, renderServerJsonReport, writeServerReports } from './reporters/server-report.js';
import { runServerBench } from './server/run-server-bench.js';
import { renderClusterConsoleSummary, renderClusterJsonReport, writeClusterReports } from './reporters/cluster-report.js';
import { runClusterBench } from './cluster/run-cluster-bench.js';
import { renderScalingConsoleSummary, renderScalingJsonReport, writeScalingReports } from './reporters/scaling-report.js';
import { runScalingBench } from './scaling/run-scaling-bench.js';

/**
 * Flags of `accel bench`, for `node:util`'s `parseArgs`; the command line adds the common ones
 * (`--json`, `--verbose`, `--help`). `--size` is for tests.
 */
export const benchFlags = {
  quick: { type: 'boolean' },
  skills: { type: 'string' },
  backends: { type: 'string' },
  out: { type: 'string' },
  size: { type: 'string' },
  replicas: { type: 'string' },
  repeat: { type: 'string' },
  'cache-dir': { type: 'string' },
  server: { type: 'boolean' },
  cluster: { type: 'boolean' },
  scaling: { type: 'boolean' },
} as const;

export const benchUsage = 'accel bench [--quick] [--skills bert-tiny,minilm,…] [--backends cpu,wasm] [--replicas N|auto] [--repeat N] [--cache-dir DIR] [--out DIR] [--json]\n       accel bench --server [--quick] [--replicas N|auto] [--cache-dir DIR] [--out DIR] [--json]\n       accel bench --cluster [--quick] [--cache-dir DIR] [--out DIR] [--json]\n       accel bench --scaling [--quick] [--cache-dir DIR] [--out DIR] [--json]';

/** `accel bench --help`. */
export const benchHelp = `usage: ${benchUsage}

Measures accel against raw onnxruntime and transformers.js on the same model files, in the same
process and run, and reports ratios (bench.json, bench.md, ratios.svg under --out).

With --server, measures @accel/server instead: the MiniLM "64 concurrent singles" workload sent by
64 concurrent HTTP clients on loopback against the same requests in-process (throughput ratio,
p50/p99 latency, errors and lost requests), and gpt2's time to first token over SSE against
in-process accel.stream; writes bench.json and bench.md under --out (default reports/bench-server).

With --cluster, measures @accel/cluster on this machine: starts nats-server (JetStream, loopback)
and two worker processes with MiniLM on one CPU thread each, then reports the throughput of 2
workers against 1 behind one cluster client, and the batch-of-1 latency the gateway and broker add
to in-process accel.infer; writes bench.json and bench.md under --out (default reports/bench-cluster).
Without nats-server the run is reported skipped, with the reason.

With --scaling, measures how cost grows with the work, accel against raw onnxruntime session.run in
the same run, on the cpu backend: MiniLM batch size 1 … 256 (32 tokens per text) and sequence
length 16 … 512 (batch 8), gpt2 new tokens 32 … 512 (time per token; the KV cache size, computed),
whisper-tiny audio 10, 30, 60 and 120 s (cut into 30 s windows). Each point warms up, then alternates
accel and raw for up to 3 rounds (one timed run per side per round at the big points, fewer rounds
where a point runs long), sized for about 6-8 minutes on a quiet 2-core machine and under 2 with
--quick (fewer points); other work on the machine makes it longer. Reports accel ÷ raw at
every point and the fitted growth of each curve; writes bench.json, bench.md and one line chart per
sweep (scaling-<sweep>.svg) under --out (default reports/bench-scaling).

options:
  --quick      the quick subset, with fewer samples: bert-tiny on cpu and wasm; MiniLM, MiniLM q8, CLIP batch 1, gpt2, gpt2 q8 and
               whisper-tiny (one 30 s window, 32 tokens) on cpu; two models
  --skills     bench profiles or skill names to run, e.g. bert-tiny,minilm,gpt2
  --backends   backends to measure, e.g. cpu,wasm; unavailable ones are listed as skipped with the reason
  --replicas   copies of the model behind each accel endpoint (default auto, the endpoint's default): see @accel/core's replicas
  --repeat     run the whole selection N times (default 1) and report min/median/max of each ratio; a goal is met only if met in the median
  --cache-dir  where the full-size forged models are written and reused (default .cache/models/full)
  --server     measure the HTTP server against in-process calls (see above); --skills and --backends do not apply
  --cluster    measure 1 against 2 cluster workers on NATS JetStream (see above); --skills, --backends and --replicas do not apply
  --scaling    measure how cost grows, accel against raw onnxruntime (see above); --skills, --backends and --replicas do not apply
  --out        report folder (default reports/bench, with --server reports/bench-server, with --cluster reports/bench-cluster,
               with --scaling reports/bench-scaling)
  --json       print the whole result as JSON instead of the summary
  --verbose    print stack traces with errors
`;

/** The values of `benchFlags` (and `--json`), as `parseArgs` returns them. */
export interface BenchCommandFlags {
  readonly quick?: boolean;
  readonly skills?: string;
  readonly backends?: string;
  readonly out?: string;
  readonly size?: string;
  readonly replicas?: string;
  readonly repeat?: string;
  readonly 'cache-dir'?: string;
  readonly server?: boolean;
  readonly cluster?: boolean;
  readonly scaling?: boolean;
  readonly json?: boolean;
}

export interface BenchCommandIo {
  /** Writes a line. */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Lays out the summary's tables (the CLI passes the one its other commands use). */
  readonly renderTable: TableRenderer;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidInputError({ reason: 'an empty list was given' });
  return names;
}

/**
 * `accel bench` after its flags are parsed: forges full-size models, measures accel and its peers,
 * writes bench.json, bench.md and ratios.svg, prints the summary (or the result as JSON) and
 * returns the exit code: 1 when accel itself failed in a cell. With `--server`, runs
 * `runServerBench` instead and writes its bench.json and bench.md; 1 when one of its measures failed. With `--cluster`,
 * `runClusterBench` (bench.json and bench.md under reports/bench-cluster); 1 when one of its measures failed, 0 when skipped. With `--scaling`,
 * `runScalingBench` (bench.json, bench.md and a chart per sweep under reports/bench-scaling); 1 when a sweep or one of its points failed. A wrong flag value or a stray
 * argument throws an `InvalidInputError`. `argv` is the command line as typed, for the report.
 */
export async function runBenchCommand(flags: BenchCommandFlags, positionals: readonly string[], argv: readonly string[], io: BenchCommandIo): Promise<number> {
  if (positionals.length > 0) throw new InvalidInputError({ reason: `accel bench takes no arguments besides its flags, got ${positionals.join(' ')} (use --skills)` });
  const size = flags.size ?? 'full';
  if (size !== 'full' && size !== 'tiny') throw new InvalidInputError({ reason: `--size must be full or tiny, got ${size}` });
  const interactive = process.stderr.isTTY === true;
  const progress: ProgressOutput = { interactive, write: interactive ? (text) => void process.stderr.write(text) : (text) => io.stderr(text.trimEnd()) };
  const replicas: ReplicasSetting = flags.replicas === undefined || flags.replicas === 'auto' ? 'auto' : Number(flags.replicas);
  if (replicas !== 'auto' && (!Number.isInteger(replicas) || replicas < 1)) throw new InvalidInputError({ reason: `--replicas must be a positive integer or auto, got ${flags.replicas}` });
  const repeat = flags.repeat === undefined ? 1 : Number(flags.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new InvalidInputError({ reason: `--repeat must be a positive integer, got ${flags.repeat}` });
  const skills = list(flags.skills);
  const backends = list(flags.backends);
  if ((flags.cluster === true || flags.server === true) && flags.repeat !== undefined) {
    throw new InvalidInputError({ reason: '--repeat applies to accel bench itself, not to --server or --cluster (they alternate their own rounds)' });
  }
  // What every mode's runner takes, and how every mode reports: files under --out, then JSON or the summary on stdout.
  const common = {
    quick: flags.quick === true,
    cacheDirectory: resolve(flags['cache-dir'] ?? `.cache/models/${size}`),
    size: size as ModelSize,
    command: ['accel', ...argv].join(' '),
    log: (message: string) => io.stderr(message),
    progress,
  };
  const report = async <Result>(
    result: Result,
    defaultOut: string,
    write: (result: Result, directory: string) => Promise<readonly string[]>,
    renderJson: (result: Result) => string,
    renderSummary: (result: Result, files: readonly string[], renderTable: TableRenderer) => string,
  ): Promise<void> => {
    const files = await write(result, resolve(flags.out ?? defaultOut));
    io.stdout(flags.json ? renderJson(result).trimEnd() : renderSummary(result, files, io.renderTable));
  };
  if (flags.scaling === true) {
    if (flags.server === true || flags.cluster === true) throw new InvalidInputError({ reason: '--scaling, --server and --cluster are different benchmarks: run one at a time' });
    if (skills !== undefined || backends !== undefined || flags.replicas !== undefined || flags.repeat !== undefined) {
      throw new InvalidInputError({ reason: 'accel bench --scaling sweeps MiniLM, gpt2 and whisper-tiny on the cpu backend, one replica, alternating its own rounds: --skills, --backends, --replicas and --repeat do not apply' });
    }
    const scalingResult = await runScalingBench(common);
    await report(scalingResult, 'reports/bench-scaling', writeScalingReports, renderScalingJsonReport, renderScalingConsoleSummary);
    // A sweep that failed is 1 (a goal not met is not); skipped (no cpu backend) is 0.
    return scalingResult.sweeps.some((sweep) => sweep.status === 'failed' || sweep.points.some((point) => point.status === 'failed')) ? 1 : 0;
  }
  if (flags.cluster === true) {
    if (flags.server === true) throw new InvalidInputError({ reason: '--cluster and --server are two different benchmarks: run one at a time' });
    if (skills !== undefined || backends !== undefined || flags.replicas !== undefined) {
      throw new InvalidInputError({ reason: 'accel bench --cluster measures MiniLM on the cpu backend, one replica per worker: --skills, --backends and --replicas do not apply' });
    }
    const clusterResult = await runClusterBench(common);
    await report(clusterResult, 'reports/bench-cluster', writeClusterReports, renderClusterJsonReport, renderClusterConsoleSummary);
    // Skipped (no nats-server) is exit 0; a measure that failed is 1.
    return [clusterResult.throughput, clusterResult.latency, clusterResult.httpLatency].some((part) => part.status === 'failed') ? 1 : 0;
  }
  if (flags.server === true) {
    if (skills !== undefined || backends !== undefined) {
      throw new InvalidInputError({ reason: 'accel bench --server measures MiniLM and gpt2 on the cpu backend: --skills and --backends do not apply' });
    }
    const serverResult = await runServerBench({ ...common, replicas });
    await report(serverResult, 'reports/bench-server', writeServerReports, renderServerJsonReport, renderServerConsoleSummary);
    return serverResult.embeddings.status === 'failed' || serverResult.streaming.status === 'failed' ? 1 : 0;
  }
  const result = await runBench({ ...common, ...(skills ? { skills } : {}), ...(backends ? { backends } : {}), replicas, repeat });
  await report(result, 'reports/bench', writeReports, renderJsonReport, renderConsoleSummary);
  return result.cells.some((cell) => cell.status === 'failed') ? 1 : 0;
}
